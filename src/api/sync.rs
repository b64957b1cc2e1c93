//! `/v1/sync`: delta sync for offline clients, read from the change log. A first
//! sync (`initial=true`) pages through every item in view and ends with a
//! `next_sync_token`; a later call with that token gets what changed since: the
//! current shape of each changed item, or a tombstone for one that left the
//! client's view (deleted, unpublished, scheduled for later, filtered out).
//!
//! Tokens are opaque to clients and signed with a key every node reads from the
//! database, so any node takes any token and a forged one is refused.

use std::collections::{HashMap, HashSet};

use actix_web::{get, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::{IntoParams, ToSchema};

use super::articles::Article;
use super::authors::Author;
use super::sections::Section;
use super::tags::Tag;
use crate::auth::Caller;
use crate::db::article_list::{self, ArticleFilter, Cursor, Sort, Window};
use crate::db::articles::Visibility;
use crate::db::changes::{self, ChangeRow, Resource};
use crate::db::{authors, sections, tags, AnyConnection, ById, Database};
use crate::error::{ApiError, ApiResult};

/// Items per page when the client does not say.
const DEFAULT_PER_PAGE: i64 = 100;
/// The most items a page holds.
const MAX_PER_PAGE: i64 = 1000;
/// Longer than any token this server issues.
const MAX_TOKEN_CHARS: usize = 4096;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SyncParams {
    /// `true` to start: every item in view, page by page, the last page with a
    /// `next_sync_token`.
    #[param(example = true)]
    pub initial: Option<bool>,
    /// The `next_sync_token` of an earlier sync: what changed since.
    pub sync_token: Option<String>,
    /// The `next_page_token` of the page before.
    pub page_token: Option<String>,
    /// With `initial`: the kinds of item to sync, comma-separated (`article`,
    /// `section`, `tag`, `author`); all by default.
    #[serde(rename = "type")]
    #[param(rename = "type", example = "article")]
    pub kinds: Option<String>,
    /// With `initial`: only articles in this section (subsections included).
    #[param(example = "monde")]
    pub section: Option<String>,
    /// With `initial`: only articles in this language (BCP 47).
    #[param(example = "fr")]
    pub language: Option<String>,
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<i64>,
}

/// One item of a sync page: the current shape of a resource (under the key
/// named by its `type`), or, with `deleted`, a tombstone: drop it.
#[derive(Debug, Serialize, ToSchema)]
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
    fn tombstone(kind: Resource, id: String) -> Self {
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

/// Where a first sync has got to.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Position {
    kind: Resource,
    /// Sections, tags and authors go in id order.
    #[serde(default, skip_serializing_if = "is_zero")]
    after_id: i32,
    /// Articles go in the article list's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cursor: Option<String>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// What a token says: the change it has seen through, where a first sync has got
/// to, and the sync's filters and visibility.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SyncState {
    seq: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    initial: Option<Position>,
    kinds: Vec<Resource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    section: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    preview: bool,
}

/// The `folio_state` entry holding the key that signs tokens.
const KEY_NAME: &str = "sync_token_key";

/// The signing key, made on first use; every node reads the same one.
fn signing_key(conn: &mut AnyConnection) -> ApiResult<Vec<u8>> {
    let fresh = hex::encode(rand::random::<[u8; 32]>());
    let key = changes::state_or_insert(conn, KEY_NAME, &fresh)?;
    hex::decode(key).map_err(|e| ApiError::Internal(format!("unreadable sync key: {e}")))
}

fn mac(key: &[u8], payload: &str) -> ApiResult<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key)
        .map_err(|e| ApiError::Internal(format!("sync key: {e}")))?;
    mac.update(payload.as_bytes());
    Ok(mac)
}

impl SyncState {
    fn encode(&self, key: &[u8]) -> ApiResult<String> {
        let json = serde_json::to_vec(self)
            .map_err(|e| ApiError::Internal(format!("cannot encode a sync token: {e}")))?;
        let payload = URL_SAFE_NO_PAD.encode(json);
        let signature = URL_SAFE_NO_PAD.encode(mac(key, &payload)?.finalize().into_bytes());
        Ok(format!("{payload}.{signature}"))
    }

    fn decode(token: &str, key: &[u8], name: &str) -> ApiResult<Self> {
        let refused = || {
            ApiError::BadRequest(format!(
                "{name} is not a token this server issued; start over with initial=true"
            ))
        };
        if token.len() > MAX_TOKEN_CHARS {
            return Err(refused());
        }
        let (payload, signature) = token.split_once('.').ok_or_else(refused)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| refused())?;
        mac(key, payload)?
            .verify_slice(&signature)
            .map_err(|_| refused())?;
        let json = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
        serde_json::from_slice(&json).map_err(|_| refused())
    }

    fn visibility(&self) -> Visibility {
        if self.preview {
            Visibility::Preview
        } else {
            Visibility::Public
        }
    }

    /// The kind a first sync goes on with after `kind`, if any.
    fn kind_after(&self, kind: Option<Resource>) -> Option<Resource> {
        let order = Resource::ALL.into_iter().filter(|k| self.kinds.contains(k));
        match kind {
            None => order.into_iter().next(),
            Some(kind) => order.skip_while(|k| *k != kind).nth(1),
        }
    }

    fn start_at(&mut self, kind: Option<Resource>) {
        self.initial = kind.map(|kind| Position {
            kind,
            after_id: 0,
            cursor: None,
        });
    }

    fn article_filter(&self, ids: Vec<String>) -> ArticleFilter {
        ArticleFilter {
            section: self.section.clone(),
            descendants: true,
            language: self.language.clone(),
            ids,
            ..ArticleFilter::default()
        }
    }
}

/// The kinds a `type` parameter names.
fn parse_kinds(text: Option<&str>) -> ApiResult<Vec<Resource>> {
    let Some(text) = text else {
        return Ok(Resource::ALL.to_vec());
    };
    let mut kinds = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let kind = Resource::parse(name).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "type: {name:?} is not one of article, section, tag, author"
            ))
        })?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    if kinds.is_empty() {
        return Err(ApiError::BadRequest("type: name at least one kind".into()));
    }
    Ok(kinds)
}

/// Which call this is, checked before the database is touched.
enum Request {
    Initial {
        kinds: Vec<Resource>,
        section: Option<String>,
        language: Option<String>,
    },
    Continue {
        token: String,
        name: &'static str,
    },
}

impl SyncParams {
    fn request(self) -> ApiResult<(Request, i64)> {
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::BadRequest(format!(
                "per_page must be between 1 and {MAX_PER_PAGE}"
            )));
        }
        let filtered = self.kinds.is_some() || self.section.is_some() || self.language.is_some();
        let request = match (self.initial, self.sync_token, self.page_token) {
            (Some(true), None, None) => {
                // The article list's own checks of these filters.
                let filter = super::article_query::scope(self.section, None, None, self.language)?;
                Request::Initial {
                    kinds: parse_kinds(self.kinds.as_deref())?,
                    section: filter.section,
                    language: filter.language,
                }
            }
            (None | Some(false), Some(token), None) if !filtered => Request::Continue {
                token,
                name: "sync_token",
            },
            (None | Some(false), None, Some(token)) if !filtered => Request::Continue {
                token,
                name: "page_token",
            },
            (None | Some(false), Some(_), None) | (None | Some(false), None, Some(_)) => {
                return Err(ApiError::BadRequest(
                    "type, section and language go with initial=true; a token keeps the filters it was issued with".into(),
                ))
            }
            _ => {
                return Err(ApiError::BadRequest(
                    "give one of initial=true, sync_token or page_token".into(),
                ))
            }
        };
        Ok((request, per_page))
    }
}

/// Sync content for offline use
///
/// Start with `initial=true` (optionally filtered by `type`, `section` and
/// `language`) and follow `next_page_token` until a page carries a
/// `next_sync_token`; keep that token. Later, call with `sync_token` to get what
/// changed since, page by page the same way: the current shape of every changed
/// item, and a tombstone (`deleted: true`) for every item that left the view.
/// Without a token the view is what the public sees; with a `read` token it
/// includes drafts and scheduled articles. A token older than the change log's
/// retention answers `410`: start over.
#[utoipa::path(
    tag = "sync",
    params(SyncParams),
    responses(
        (status = 200, description = "A page of the sync", body = SyncPage),
        (status = 410, description = "The change log no longer reaches back to this token: start over", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sync")]
pub async fn sync(
    caller: Caller,
    db: web::Data<Database>,
    params: web::Query<SyncParams>,
) -> ApiResult<HttpResponse> {
    let (request, per_page) = params.into_inner().request()?;
    let can_preview = caller.can_preview();
    let page = db
        .run(move |conn| {
            let key = signing_key(conn)?;
            let mut state = match request {
                Request::Initial {
                    kinds,
                    section,
                    language,
                } => {
                    let mut state = SyncState {
                        seq: changes::latest(conn)?,
                        initial: None,
                        kinds,
                        section,
                        language,
                        preview: can_preview,
                    };
                    state.start_at(state.kind_after(None));
                    state
                }
                Request::Continue { token, name } => {
                    let state = SyncState::decode(&token, &key, name)?;
                    if state.preview && !can_preview {
                        return Err(ApiError::Forbidden(format!(
                            "this {name} includes drafts; use it with a read token"
                        )));
                    }
                    if state.initial.is_none() && state.seq < changes::trimmed_through(conn)? {
                        return Err(ApiError::Gone(
                            "the change log no longer reaches back to this sync token; start over with initial=true".into(),
                        ));
                    }
                    state
                }
            };
            let (data, more) = if state.initial.is_some() {
                let data = initial_page(conn, &mut state, per_page)?;
                (data, state.initial.is_some())
            } else {
                delta_page(conn, &mut state, per_page)?
            };
            let token = state.encode(&key)?;
            Ok(if more {
                SyncPage {
                    data,
                    next_page_token: Some(token),
                    next_sync_token: None,
                }
            } else {
                SyncPage {
                    data,
                    next_page_token: None,
                    next_sync_token: Some(token),
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The next items of a first sync, moving the state's position past them.
fn initial_page(
    conn: &mut AnyConnection,
    state: &mut SyncState,
    per_page: i64,
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
                items.extend(all.into_iter().map(|s| SyncItem::section(s.into())));
                (last, (items.len() - before) < room as usize)
            }
            Resource::Tag => {
                let rows = tags::by_id(conn, ById::After(position.after_id, room))?;
                let last = rows.last().map(|t| t.item.id);
                items.extend(rows.into_iter().map(|t| SyncItem::tag(t.into())));
                (last, (items.len() - before) < room as usize)
            }
            Resource::Author => {
                let rows = authors::by_id(conn, ById::After(position.after_id, room))?;
                let last = rows.last().map(|a| a.item.id);
                items.extend(rows.into_iter().map(|a| SyncItem::author(a.into())));
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
                )?;
                items.extend(
                    list.records
                        .into_iter()
                        .map(|r| SyncItem::article(r.into())),
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

/// The items changed after the state's change number, at most `per_page` changes'
/// worth, moving the state past them; `true` when more changes wait.
fn delta_page(
    conn: &mut AnyConnection,
    state: &mut SyncState,
    per_page: i64,
) -> ApiResult<(Vec<SyncItem>, bool)> {
    let rows: Vec<ChangeRow> = changes::after(conn, state.seq, per_page)?
        .into_iter()
        .collect();
    let more = rows.len() as i64 == per_page;
    if let Some(last) = rows.last() {
        state.seq = last.seq;
    }
    let rows: Vec<(Resource, ChangeRow)> = rows
        .into_iter()
        .filter_map(|row| Resource::parse(&row.resource).map(|kind| (kind, row)))
        .filter(|(kind, _)| state.kinds.contains(kind))
        .collect();
    let mut current = Current::load(conn, state, &rows)?;
    // Each resource appears once, where it last changed; a slug it left behind is
    // dropped where it was left.
    let last_change: HashMap<(Resource, i32), i64> = rows
        .iter()
        .map(|(kind, row)| ((*kind, row.resource_id), row.seq))
        .collect();
    let mut items = Vec::new();
    for (kind, row) in rows {
        if let Some(previous) = row.previous_slug.filter(|_| kind != Resource::Article) {
            items.push(SyncItem::tombstone(kind, previous));
        }
        if last_change.get(&(kind, row.resource_id)) == Some(&row.seq) {
            items.push(current.item(kind, row.resource_id, row.public_id));
        }
    }
    Ok((items, more))
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
        let article_ids: HashSet<String> = rows
            .iter()
            .filter(|(k, _)| *k == Resource::Article)
            .map(|(_, row)| row.public_id.clone())
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
            )?;
            for record in list.records {
                current.articles.insert(record.row.id, record.into());
            }
        }
        let section_ids = ids(Resource::Section);
        if !section_ids.is_empty() {
            for record in sections::all(conn)? {
                if section_ids.contains(&record.row.id) {
                    current.sections.insert(record.row.id, record.into());
                }
            }
        }
        for tag in tags::by_id(conn, ById::Only(&ids(Resource::Tag)))? {
            current.tags.insert(tag.item.id, tag.into());
        }
        for author in authors::by_id(conn, ById::Only(&ids(Resource::Author)))? {
            current.authors.insert(author.item.id, author.into());
        }
        Ok(current)
    }

    /// The resource's current shape, or a tombstone under the id it was known by.
    fn item(&mut self, kind: Resource, resource_id: i32, known_as: String) -> SyncItem {
        let found = match kind {
            Resource::Article => self.articles.remove(&resource_id).map(SyncItem::article),
            Resource::Section => self.sections.remove(&resource_id).map(SyncItem::section),
            Resource::Tag => self.tags.remove(&resource_id).map(SyncItem::tag),
            Resource::Author => self.authors.remove(&resource_id).map(SyncItem::author),
        };
        found.unwrap_or_else(|| SyncItem::tombstone(kind, known_as))
    }
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(sync);
}
