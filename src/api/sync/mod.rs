//! `/v1/sync`: delta sync for offline clients, read from the change log. A first
//! sync (`initial=true`) pages through every item in view and ends with a
//! `next_sync_token`; a later call with that token gets what changed since: the
//! current shape of each changed item, or a tombstone for one that left the
//! client's view (deleted, unpublished, scheduled for later, filtered out).
//!
//! Tokens are opaque to clients and signed with a key every node reads from the
//! database, so any node takes any token and a forged one is refused.

mod items;
mod scope;
mod stream;
mod token;

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

pub use items::{current_shapes, Delta, SyncItem, SyncPage};
use scope::{filters, resumable_after};
use token::SyncState;

use crate::api::locale::LanguageTag;
use crate::auth::Caller;
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::db::changes::{self, Resource};
use crate::db::modified;
use crate::db::Database;
use crate::error::{ApiError, ApiResult};
use crate::surrogate::{self, SurrogateKeys};

/// Items per page when the client does not say.
const DEFAULT_PER_PAGE: i64 = 100;
/// The most items a page holds.
const MAX_PER_PAGE: i64 = 1000;

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
    #[param(value_type = Option<LanguageTag>, example = "fr")]
    pub language: Option<String>,
    /// Items per page, 1 to 1000 (default 100; with a token, the sync's own).
    #[param(minimum = 1, maximum = 1000)]
    pub per_page: Option<i64>,
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
    /// The call, and the page size asked for (a continued sync keeps its own
    /// unless this says otherwise).
    fn request(self) -> ApiResult<(Request, Option<i64>)> {
        if let Some(per_page) = self.per_page {
            if !(1..=MAX_PER_PAGE).contains(&per_page) {
                return Err(ApiError::BadRequest(format!(
                    "per_page must be between 1 and {MAX_PER_PAGE}"
                )));
            }
        }
        let filtered = self.kinds.is_some() || self.section.is_some() || self.language.is_some();
        let request = match (self.initial, self.sync_token, self.page_token) {
            (Some(true), None, None) => {
                let (kinds, section, language) =
                    filters(self.kinds.as_deref(), self.section, self.language)?;
                Request::Initial {
                    kinds,
                    section,
                    language,
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
        Ok((request, self.per_page))
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
/// retention, or newer than the log (a restored database), answers `410`: start
/// over. A `page_token` keeps the sync's filters and `per_page`; a `per_page` given
/// with a token changes it from then on.
#[utoipa::path(
    tag = "sync",
    params(SyncParams),
    responses(
        (status = 200, description = "A page of the sync", body = SyncPage),
        (status = 410, description = "The change log no longer reaches back to this token, or has not reached it (a restored database): start over", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sync")]
pub async fn sync(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<SyncParams>,
) -> ApiResult<HttpResponse> {
    let (request, asked_per_page) = params.into_inner().request()?;
    let can_preview = caller.can_preview();
    let (page, changed) = db
        .run(move |conn| {
            let key = token::signing_key(conn)?;
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
                        per_page: asked_per_page,
                    };
                    state.start_at(state.kind_after(None));
                    state
                }
                Request::Continue { token, name } => {
                    let mut state = SyncState::decode(&token, &key, name)?;
                    if state.preview && !can_preview {
                        return Err(ApiError::Forbidden(format!(
                            "this {name} includes drafts; use it with a read token"
                        )));
                    }
                    if state.initial.is_none() {
                        resumable_after(
                            conn,
                            state.seq,
                            "sync token",
                            "start over with initial=true",
                        )?;
                    }
                    state.per_page = asked_per_page.or(state.per_page);
                    state
                }
            };
            let per_page = state.per_page.unwrap_or(DEFAULT_PER_PAGE);
            let (data, more) = if state.initial.is_some() {
                let data = items::initial_page(conn, &mut state, per_page, &settings.site)?;
                (data, state.initial.is_some())
            } else {
                let (deltas, more) = items::deltas(conn, &mut state, per_page, &settings.site)?;
                (deltas.into_iter().map(|d| d.item).collect(), more)
            };
            let token = state.encode(&key)?;
            let changed = modified::anything(conn)?;
            let page = if more {
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
            };
            Ok((page, changed))
        })
        .await?;
    // Every page names the newest change it saw: any later change makes it stale.
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::CHANGES);
    Ok(last_modified(
        keyed(HttpResponse::Ok().json(page), keys),
        changed,
    ))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(sync).service(stream::stream_changes);
}
