//! A page of articles as a list shows it: found by the list query, each shown as
//! a summary or as the fields asked for, with the passage that matched a search.

use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::value::RawValue;

use super::query::ArticleListQuery;
use super::views::{Article, ArticleField, ArticleSummary};
use crate::content::analysis::Language;
use crate::content::highlight::snippet;
use crate::content::markdown;
use crate::content::search::SearchQuery;
use crate::db::article_list::{self, Cursor};
use crate::db::articles::{ArticleRecord, Parts, Visibility};
use crate::db::{modified, AnyConnection};
use crate::error::{ApiError, ApiResult};
use crate::site::Site;
use crate::surrogate;

/// One page, each item serialised as it will be sent.
pub(super) struct Listing {
    pub items: Vec<Box<RawValue>>,
    /// The keys of the articles shown, for caches.
    pub shown: Vec<String>,
    /// When anything last changed.
    pub changed: Option<NaiveDateTime>,
    pub next: Option<Cursor>,
    pub total: Option<i64>,
}

/// The page `query` asks for, as `visibility` lets it be seen. Highlighting and
/// serialising long articles is CPU work: callers run this on the blocking pool
/// with the query, never on the threads that answer everyone.
pub(super) fn list(
    conn: &mut AnyConnection,
    query: &ArticleListQuery,
    visibility: Visibility,
    site: &Site,
) -> ApiResult<Listing> {
    let search = query.filter.search.as_ref();
    let fields = query.fields.as_ref();
    let highlighted = search.filter(|_| fields.is_none_or(|f| f.includes(ArticleField::Highlight)));
    let parts = match fields {
        Some(fields) => fields.parts(highlighted.is_some()),
        None => Parts {
            body: highlighted.is_some(),
            ..Parts::SUMMARY
        },
    };
    let list = article_list::list(
        conn,
        &query.filter,
        visibility,
        query.sort,
        &query.window,
        query.include_total,
        parts,
    )?;
    let changed = modified::anything(conn)?;
    // An article shown, and those its body links to (whose slug and address it shows).
    let shown = list
        .records
        .iter()
        .flat_map(|record| std::iter::once(record.row.id).chain(record.linked.iter().map(|l| l.id)))
        .map(surrogate::article)
        .collect();
    let items = list
        .records
        .into_iter()
        .map(|record| {
            let highlight = highlighted.and_then(|q| highlight(&record, q));
            match fields {
                Some(fields) => {
                    let mut article = Article::new(record, site);
                    article.summary.highlight = highlight;
                    fields.project(&article).map_err(cannot_serialise)
                }
                None => {
                    let mut summary = ArticleSummary::new(record, site);
                    summary.highlight = highlight;
                    item_json(&summary)
                }
            }
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Listing {
        items,
        shown,
        changed,
        next: list.next,
        total: list.total,
    })
}

/// The best passage of an article for a search: in the body, else the standfirst, else the title.
pub(super) fn highlight(record: &ArticleRecord, search: &SearchQuery) -> Option<String> {
    let language = Language::from_tag(&record.row.language);
    let body = head(&record.row.body, MAX_HIGHLIGHTED_BYTES);
    snippet(&markdown::plain_text(body), search, language)
        .or_else(|| {
            record
                .row
                .standfirst
                .as_deref()
                .and_then(|s| snippet(s, search, language))
        })
        .or_else(|| snippet(&record.row.title, search, language))
}

/// How much of a body the highlighter reads: its work per hit is bounded, whatever
/// the article's length (a match further on is found, but shown from the standfirst
/// or title, if at all).
const MAX_HIGHLIGHTED_BYTES: usize = 64 * 1024;

/// The first `max` bytes of `text`, cut at a character boundary.
fn head(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One item of a page, serialised as it will be sent.
pub(super) fn item_json<T: Serialize>(item: &T) -> ApiResult<Box<RawValue>> {
    serde_json::value::to_raw_value(item).map_err(cannot_serialise)
}

pub(super) fn cannot_serialise(e: serde_json::Error) -> ApiError {
    ApiError::Internal(format!("cannot serialise: {e}"))
}
