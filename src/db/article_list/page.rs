//! Which slice of a list is asked for, and the slice returned.

use super::cursor::Cursor;
use crate::db::articles::ArticleRecord;
use crate::db::PageRequest;

/// Which slice of the list to return.
#[derive(Debug, Clone)]
pub enum Window {
    /// Numbered pages: fine for small offsets.
    Page(PageRequest),
    /// The items after a cursor (from the start when `None`): stable while articles arrive.
    After(Option<Cursor>, i64),
}

pub struct ArticleList {
    pub records: Vec<ArticleRecord>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
    /// The number of matching articles, when asked for.
    pub total: Option<i64>,
}
