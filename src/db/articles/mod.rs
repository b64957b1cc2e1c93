//! Articles: storage, the list query and the read model with section, tags and authors.

mod change_log;
mod derived;
mod find;
mod linked;
mod links;
mod read;
pub mod revisions;
mod rows;
pub mod schedule;
mod story;
pub mod translations;
pub(in crate::db) mod trashed;
mod write;

pub(super) use change_log::log_change;
pub use derived::rederive;
pub(in crate::db) use find::slug_in_use;
pub use find::{count_all, find, find_by_public_id, find_current, find_version};
pub use read::{id_in, records, records_in_order, Parts};
pub(in crate::db) use rows::{public, visible};
pub use rows::{
    ArticleChanges, ArticleRecord, ArticleRow, Condition, Label, Linked, Lookup, Member,
    NewArticle, Status, Translating, Visibility,
};
pub use write::{create, create_leaving_index, update, update_leaving_index};
pub(super) use write::{recreate, remove, Origin};
