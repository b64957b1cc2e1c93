//! `/v1/changes/stream`: the change log as Server-Sent Events, in the view and
//! with the filters of a sync. Every node polls the log (it is shared, so any
//! node serves any client), each event's `id` is its change number, and a client
//! that reconnects with `Last-Event-ID` resumes where it left off.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::items::{self, Delta};
use super::scope::{filters, resumable_after};
use super::token::SyncState;
use crate::api::locale::LanguageTag;
use crate::auth::Caller;
use crate::config::ServerSettings;
use crate::db::changes;
use crate::db::Database;
use crate::error::{ApiError, ApiResult};

/// How often the log is read for new changes.
const POLL: Duration = Duration::from_secs(1);
/// How long a quiet stream waits before a comment keeps proxies from closing it.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// The most changes read at a time.
const BATCH: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamParams {
    /// The kinds of item to follow, comma-separated (`article`, `section`, `tag`,
    /// `author`); all by default.
    #[serde(rename = "type")]
    #[param(rename = "type", example = "article")]
    pub kinds: Option<String>,
    /// Only articles in this section (subsections included).
    #[param(example = "monde")]
    pub section: Option<String>,
    /// Only articles in this language (BCP 47).
    #[param(value_type = Option<LanguageTag>, example = "fr")]
    pub language: Option<String>,
    /// Resume after this change (as the `Last-Event-ID` header does, for clients
    /// that cannot set it); without either, the stream starts with the next change.
    #[param(minimum = 0)]
    pub last_event_id: Option<i64>,
}

/// One event of the stream as an `EventSource` reads it: `id` the change's number,
/// `event` always `change`, `data` the item (a [`Delta`]) as JSON. This is what
/// the spec's `text/event-stream` response describes, each event in turn (the way
/// OpenAPI 3.1 reads an event stream's schema; 3.2 calls it `itemSchema`).
pub struct StreamEvent;

impl utoipa::PartialSchema for StreamEvent {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::extensions::Extensions;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
        };
        // JSON Schema's `contentSchema`: utoipa's builder would prefix it with `x-`.
        let content_schema = Extensions::from_iter([(
            "contentSchema",
            serde_json::json!({"$ref": "#/components/schemas/Delta"}),
        )]);
        let data = text("The changed item, a `Delta`, as JSON")
            .content_media_type("application/json")
            .extensions(Some(content_schema));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "One Server-Sent Event: the change's number as its id, the changed item as its data",
            ))
            .property(
                "id",
                text("The change's number (the item's `seq`): reconnect with it as `Last-Event-ID`")
                    .pattern(Some("^[0-9]+$")),
            )
            .property(
                "event",
                text("Always `change`").enum_values(Some(["change"])),
            )
            .property("data", data)
            .property(
                "retry",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .description(Some("How many milliseconds to wait before reconnecting")),
            )
            .required("id")
            .required("event")
            .required("data")
            .into()
    }
}

impl utoipa::ToSchema for StreamEvent {}

/// One event's bytes: its change number as the id, the item as its data.
fn event(delta: &Delta) -> Bytes {
    let data = serde_json::to_string(delta).unwrap_or_else(|_| "{}".to_owned());
    Bytes::from(format!(
        "id: {}\nevent: change\ndata: {data}\n\n",
        delta.seq
    ))
}

/// Where to resume: the `Last-Event-ID` header, else the query parameter.
fn resume_after(req: &HttpRequest, asked: Option<i64>) -> ApiResult<Option<i64>> {
    let header = req.headers().get("last-event-id");
    let from_header = match header {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::BadRequest(
                        "Last-Event-ID must be the id of an event this stream sent".into(),
                    )
                })?,
        ),
    };
    if asked.is_some_and(|n| n < 0) {
        return Err(ApiError::BadRequest(
            "last_event_id must be the id of an event this stream sent".into(),
        ));
    }
    Ok(from_header.or(asked))
}

/// A stream's state between polls.
struct Listener {
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    state: SyncState,
    pending: VecDeque<Bytes>,
    last_sent: Instant,
    polled: bool,
}

impl Listener {
    /// The next bytes to send: pending events, else a heartbeat when one is due,
    /// else whatever the next poll of the log finds.
    async fn next(mut self) -> Option<(Result<Bytes, actix_web::Error>, Self)> {
        loop {
            if let Some(bytes) = self.pending.pop_front() {
                self.last_sent = Instant::now();
                return Some((Ok(bytes), self));
            }
            if self.last_sent.elapsed() >= HEARTBEAT {
                self.last_sent = Instant::now();
                return Some((Ok(Bytes::from_static(b": heartbeat\n\n")), self));
            }
            if self.polled {
                actix_rt::time::sleep(POLL).await;
            }
            self.polled = true;
            let mut state = self.state.clone();
            let settings = self.settings.clone();
            let read = self
                .db
                .run(move |conn| {
                    let (deltas, _) = items::deltas(conn, &mut state, BATCH, &settings.site)?;
                    Ok((deltas, state))
                })
                .await;
            match read {
                Ok((deltas, state)) => {
                    self.state = state;
                    self.pending.extend(deltas.iter().map(event));
                }
                // The database may be back by the next poll; the client keeps waiting.
                Err(e) => log::warn!("change stream: {e}"),
            }
        }
    }
}

/// Follow changes live
///
/// Server-Sent Events (`text/event-stream`): one `change` event per changed item,
/// its data the item as a sync delivers it (its current shape, or a tombstone)
/// with the change's `seq` and `action`; the event's `id` is `seq`. A comment
/// every 15 seconds keeps a quiet connection open. Reconnect with `Last-Event-ID`
/// to resume. Without a token the stream shows what the public sees; with a
/// `read` token, drafts and scheduled articles too (live preview).
#[utoipa::path(
    tag = "sync",
    params(StreamParams),
    responses(
        (status = 200, description = "The stream of changes, one event per changed item", body = StreamEvent, content_type = "text/event-stream"),
        (status = 410, description = "The change log no longer reaches back to `Last-Event-ID`, or has not reached it (a restored database): sync again", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/changes/stream")]
pub async fn stream_changes(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: web::Query<StreamParams>,
) -> ApiResult<HttpResponse> {
    let params = params.into_inner();
    let after = resume_after(&req, params.last_event_id)?;
    let (kinds, section, language) =
        filters(params.kinds.as_deref(), params.section, params.language)?;
    let preview = caller.can_preview();
    let seq = db
        .run(move |conn| match after {
            Some(after) => {
                resumable_after(
                    conn,
                    after,
                    "event id",
                    "sync again and reconnect without it",
                )?;
                Ok(after)
            }
            None => changes::latest(conn),
        })
        .await?;
    let listener = Listener {
        db,
        settings,
        state: SyncState {
            seq,
            initial: None,
            kinds,
            section,
            language,
            preview,
            per_page: None,
        },
        // Sent at once, so the client knows it is connected, and how long to
        // wait before reconnecting.
        pending: VecDeque::from([Bytes::from_static(b"retry: 3000\n: connected\n\n")]),
        last_sent: Instant::now(),
        polled: false,
    };
    let events = futures_util::stream::unfold(listener, Listener::next);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        // Compression would hold events back until a buffer fills.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(events))
}
