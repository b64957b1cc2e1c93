//! What a sync page holds: the current shape of items, or tombstones, read from
//! the tables (a first sync) or from the change log (a delta).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::token::SyncState;
use crate::api::articles::Article;
use crate::api::authors::Author;
use crate::api::sections::Section;
use crate::api::tags::Tag;
use crate::content::ids::ArticleId;
use crate::db::article_list::{self, Cursor, Sort, Window};
use crate::db::articles::Parts;
use crate::db::changes::{self, ChangeRow, Resource};
use crate::db::{authors, sections, tags, AnyConnection, ById};
use crate::error::ApiResult;
use crate::site::Site;

/// One item of a sync page: the current shape of a resource (under the key
/// named by its `type`), or, with `deleted`, a tombstone: drop it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncItem {
    #[serde(rename = "type")]
    pub kind: Resource,
    /// An article's id (a UUID); a section's, tag's or author's slug.
    pub id: String,
    /// The item left the client's view: deleted, unpublished, scheduled for
    /// later, or out of the sync's filters.
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub article: Option<Article>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub section: Option<Section>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tag: Option<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub author: Option<Author>,
}

impl SyncItem {
    pub fn tombstone(kind: Resource, id: String) -> Self {
        Self {
            kind,
            id,
            deleted: true,
            article: None,
            section: None,
            tag: None,
            author: None,
        }
    }

    fn article(article: Article) -> Self {
        let mut item = Self::tombstone(Resource::Article, article.summary.id.clone());
        item.deleted = false;
        item.article = Some(article);
        item
    }

    fn section(section: Section) -> Self {
        let mut item = Self::tombstone(Resource::Section, section.slug.clone());
        item.deleted = false;
        item.section = Some(section);
        item
    }

    fn tag(tag: Tag) -> Self {
        let mut item = Self::tombstone(Resource::Tag, tag.slug.clone());
        item.deleted = false;
        item.tag = Some(tag);
        item
    }

    fn author(author: Author) -> Self {
        let mut item = Self::tombstone(Resource::Author, author.slug.clone());
        item.deleted = false;
        item.author = Some(author);
        item
    }
}

/// A page of a sync: more to come (`next_page_token`), or the end of it
/// (`next_sync_token`, kept for the next sync).
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncPage {
    pub data: Vec<SyncItem>,
    /// Ask for it to get the next page of this sync.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
    /// Keep it: the next sync with it gets what changed after this one.
    #[schema(required = true)]
    pub next_sync_token: Option<String>,
}

/// The next items of a first sync, moving the state's position past them.
pub(super) fn initial_page(
    conn: &mut AnyConnection,
    state: &mut SyncState,
    per_page: i64,
    site: &Site,
) -> ApiResult<Vec<SyncItem>> {
    let mut items = Vec::new();
    while let Some(position) = state.initial.clone() {
        let room = per_page - items.len() as i64;
        if room <= 0 {
            break;
        }
        let before = items.len();
        let (last_id, exhausted) = match position.kind {
            Resource::Section => {
                let mut all = sections::all(conn)?;
                all.retain(|s| s.row.id > position.after_id);
                all.sort_by_key(|s| s.row.id);
                all.truncate(room as usize);
                let last = all.last().map(|s| s.row.id);
                items.extend(
                    all.into_iter()
                        .map(|s| SyncItem::section(Section::new(s, site))),
                );
                (last, (items.len() - before) < room as usize)
            }
            Resource::Tag => {
                let rows = tags::by_id(conn, ById::After(position.after_id, room))?;
                let last = rows.last().map(|t| t.item.id);
                items.extend(rows.into_iter().map(|t| SyncItem::tag(Tag::new(t, site))));
                (last, (items.len() - before) < room as usize)
            }
            Resource::Author => {
                let rows = authors::by_id(conn, ById::After(position.after_id, room))?;
                let last = rows.last().map(|a| a.item.id);
                items.extend(
                    rows.into_iter()
                        .map(|a| SyncItem::author(Author::new(a, site))),
                );
                (last, (items.len() - before) < room as usize)
            }
            Resource::Article => {
                let cursor = position
                    .cursor
                    .as_deref()
                    .map(|c| Cursor::decode(c, Sort::PublishedDesc))
                    .transpose()?;
                let list = article_list::list(
                    conn,
                    &state.article_filter(Vec::new()),
                    state.visibility(),
                    Sort::PublishedDesc,
                    &Window::After(cursor, room),
                    false,
                    Parts::ALL,
                )?;
                items.extend(
                    list.records
                        .into_iter()
                        .map(|r| SyncItem::article(Article::new(r, site))),
                );
                if let (Some(next), Some(p)) = (&list.next, state.initial.as_mut()) {
                    p.cursor = Some(next.encode());
                }
                (None, list.next.is_none())
            }
        };
        if exhausted {
            state.start_at(state.kind_after(Some(position.kind)));
        } else if let (Some(last), Some(p)) = (last_id, state.initial.as_mut()) {
            p.after_id = last;
        }
    }
    Ok(items)
}

/// One item of a delta, with the change it comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delta {
    /// The change's number in the log: resume after it.
    pub seq: i64,
    /// What the change did: created, updated, published, unpublished, scheduled,
    /// deleted, restored or purged.
    pub action: String,
    #[serde(flatten)]
    pub item: SyncItem,
}

/// The items changed after the state's change number, at most `limit` changes'
/// worth, moving the state past them; `true` when more changes wait.
pub(super) fn deltas(
    conn: &mut AnyConnection,
    state: &mut SyncState,
    limit: i64,
    site: &Site,
) -> ApiResult<(Vec<Delta>, bool)> {
    let rows = changes::after(conn, state.seq, limit)?;
    let more = rows.len() as i64 == limit;
    if let Some(last) = rows.last() {
        state.seq = last.seq;
    }
    let rows: Vec<(Resource, ChangeRow)> = rows
        .into_iter()
        .filter_map(|row| Resource::parse(&row.resource).map(|kind| (kind, row)))
        .filter(|(kind, _)| state.kinds.contains(kind))
        .collect();
    let mut current = Current::load(conn, state, &rows, site)?;
    // Each resource appears once, where it last changed; a slug it left behind is
    // dropped where it was left.
    let last_change: HashMap<(Resource, i32), i64> = rows
        .iter()
        .map(|(kind, row)| ((*kind, row.resource_id), row.seq))
        .collect();
    let mut deltas = Vec::new();
    for (kind, row) in rows {
        if let Some(previous) = row
            .previous_slug
            .clone()
            .filter(|_| kind != Resource::Article)
        {
            deltas.push(Delta {
                seq: row.seq,
                action: row.action.clone(),
                item: SyncItem::tombstone(kind, previous),
            });
        }
        if last_change.get(&(kind, row.resource_id)) == Some(&row.seq) {
            deltas.push(Delta {
                seq: row.seq,
                action: row.action,
                item: current.item(kind, row.resource_id, row.public_id),
            });
        }
    }
    Ok((deltas, more))
}

/// The current shape of each resource some changes touched, drafts included (as
/// an `admin` reads them), by kind and row id; a resource that is gone has none.
/// What webhook messages carry.
pub fn current_shapes(
    conn: &mut AnyConnection,
    rows: &[ChangeRow],
    site: &Site,
) -> ApiResult<HashMap<(Resource, i32), SyncItem>> {
    let rows: Vec<(Resource, ChangeRow)> = rows
        .iter()
        .filter_map(|row| Resource::parse(&row.resource).map(|kind| (kind, row.clone())))
        .collect();
    let mut current = Current::load(conn, &SyncState::everything_in_preview(), &rows, site)?;
    let mut shapes = HashMap::new();
    for (kind, row) in &rows {
        if let Some(item) = current.take(*kind, row.resource_id) {
            shapes.insert((*kind, row.resource_id), item);
        }
    }
    Ok(shapes)
}

/// The current shape of the resources some changes touched, in the sync's view.
#[derive(Default)]
struct Current {
    articles: HashMap<i32, Article>,
    sections: HashMap<i32, Section>,
    tags: HashMap<i32, Tag>,
    authors: HashMap<i32, Author>,
}

impl Current {
    fn load(
        conn: &mut AnyConnection,
        state: &SyncState,
        rows: &[(Resource, ChangeRow)],
        site: &Site,
    ) -> ApiResult<Self> {
        let ids = |kind: Resource| -> Vec<i32> {
            let unique: HashSet<i32> = rows
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, row)| row.resource_id)
                .collect();
            unique.into_iter().collect()
        };
        let mut current = Self::default();
        let article_ids: HashSet<ArticleId> = rows
            .iter()
            .filter(|(k, _)| *k == Resource::Article)
            .filter_map(|(_, row)| ArticleId::parse(&row.public_id))
            .collect();
        if !article_ids.is_empty() {
            let count = article_ids.len() as i64;
            let list = article_list::list(
                conn,
                &state.article_filter(article_ids.into_iter().collect()),
                state.visibility(),
                Sort::PublishedDesc,
                &Window::After(None, count),
                false,
                Parts::ALL,
            )?;
            for record in list.records {
                current
                    .articles
                    .insert(record.row.id, Article::new(record, site));
            }
        }
        let section_ids = ids(Resource::Section);
        if !section_ids.is_empty() {
            for record in sections::all(conn)? {
                if section_ids.contains(&record.row.id) {
                    current
                        .sections
                        .insert(record.row.id, Section::new(record, site));
                }
            }
        }
        for tag in tags::by_id(conn, ById::Only(&ids(Resource::Tag)))? {
            current.tags.insert(tag.item.id, Tag::new(tag, site));
        }
        for author in authors::by_id(conn, ById::Only(&ids(Resource::Author)))? {
            current
                .authors
                .insert(author.item.id, Author::new(author, site));
        }
        Ok(current)
    }

    /// The resource's current shape, or a tombstone under the id it was known by.
    fn item(&mut self, kind: Resource, resource_id: i32, known_as: String) -> SyncItem {
        self.take(kind, resource_id)
            .unwrap_or_else(|| SyncItem::tombstone(kind, known_as))
    }

    /// The resource's current shape, if it is in view.
    fn take(&mut self, kind: Resource, resource_id: i32) -> Option<SyncItem> {
        match kind {
            Resource::Article => self.articles.remove(&resource_id).map(SyncItem::article),
            Resource::Section => self.sections.remove(&resource_id).map(SyncItem::section),
            Resource::Tag => self.tags.remove(&resource_id).map(SyncItem::tag),
            Resource::Author => self.authors.remove(&resource_id).map(SyncItem::author),
        }
    }
}
