//! The outbox of messages to subscriptions: rows made from the change log (which
//! every write appends to in its own transaction, so a committed change is never
//! lost to a crash and a rolled-back one never sent), claimed by one node at a
//! time, and kept with every attempt until delivered or given up.

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{exists, not};
use diesel::helper_types::{InnerJoin, IntoBoxed};
use diesel::prelude::*;

use super::{disable, find, WebhookRow};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::db::{changes, shared_state};
use crate::db::{now, AnyConnection, Db, PageRequest};
use crate::error::{ApiError, ApiResult};

/// A message with its attempts, oldest first.
pub type DeliveryWithAttempts = (DeliveryRow, Vec<AttemptRow>);

/// The `folio_state` entry: changes up to this one have been made into messages.
const FANNED_OUT_THROUGH: &str = "webhooks_fanned_out_through";

/// Up to which change messages were made. Before the first pass, from where the
/// oldest subscription starts (or the newest change, when there is none): a
/// subscription only hears of changes made after it.
pub fn fanned_out_through(conn: &mut AnyConnection) -> ApiResult<i64> {
    if let Some(seq) = shared_state::get(conn, FANNED_OUT_THROUGH)?.and_then(|v| v.parse().ok()) {
        return Ok(seq);
    }
    let oldest: Option<i64> = webhooks::table
        .select(diesel::dsl::min(webhooks::after_seq))
        .first(conn)?;
    match oldest {
        Some(seq) => Ok(seq),
        None => changes::latest(conn),
    }
}

pub fn set_fanned_out_through(conn: &mut AnyConnection, seq: i64) -> ApiResult<()> {
    shared_state::set_state(conn, FANNED_OUT_THROUGH, &seq.to_string())
}

/// A message to put in the outbox.
pub struct NewMessage {
    pub webhook_id: i32,
    pub message_id: String,
    pub event: String,
    pub resource_key: String,
    pub payload: String,
}

pub fn enqueue(conn: &mut AnyConnection, message: NewMessage) -> ApiResult<DeliveryRow> {
    let at = now();
    let id: i64 = diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::webhook_id.eq(message.webhook_id),
            webhook_deliveries::message_id.eq(message.message_id),
            webhook_deliveries::event.eq(message.event),
            webhook_deliveries::resource_key.eq(message.resource_key),
            webhook_deliveries::payload.eq(message.payload),
            webhook_deliveries::created_at.eq(at),
            webhook_deliveries::state.eq(PENDING),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(at),
        ))
        .returning(webhook_deliveries::id)
        .get_result(conn)?;
    Ok(webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)?)
}

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i32,
    pub message_id: String,
    pub event: String,
    pub resource_key: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

type DueQuery = IntoBoxed<'static, InnerJoin<webhook_deliveries::table, webhooks::table>, Db>;

/// Messages that may be sent at `at`: pending, their time come, to a subscription
/// that is on, and not held by a node.
fn due(at: NaiveDateTime) -> DueQuery {
    webhook_deliveries::table
        .inner_join(webhooks::table)
        .filter(webhooks::enabled.eq(true))
        .filter(webhook_deliveries::state.eq(PENDING))
        .filter(webhook_deliveries::next_attempt_at.le(at))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(at)),
        )
        .into_boxed()
}

/// Whether some message may be sent now: a cheap read, so that idle nodes do not
/// take the write lock every second.
pub fn any_due(conn: &mut AnyConnection, at: NaiveDateTime) -> ApiResult<bool> {
    let first: Option<i64> = due(at)
        .select(webhook_deliveries::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

/// A message a node has claimed, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub webhook: WebhookRow,
}

/// Claims up to `limit` messages that are due, for `lease`: no other node sends
/// them meanwhile (claims are made in write transactions, which take turns), and
/// if this node dies they are due again when the lease ends. A message waits
/// while an earlier one about the same resource to the same subscription is still
/// pending: messages about a resource arrive in order.
pub fn claim_due(
    conn: &mut AnyConnection,
    at: NaiveDateTime,
    lease: Duration,
    limit: i64,
) -> ApiResult<Vec<Claimed>> {
    let earlier = diesel::alias!(webhook_deliveries as earlier);
    let waiting_behind = earlier
        .filter(
            earlier
                .field(webhook_deliveries::webhook_id)
                .eq(webhook_deliveries::webhook_id),
        )
        .filter(
            earlier
                .field(webhook_deliveries::resource_key)
                .eq(webhook_deliveries::resource_key),
        )
        .filter(earlier.field(webhook_deliveries::state).eq(PENDING))
        .filter(
            earlier
                .field(webhook_deliveries::id)
                .lt(webhook_deliveries::id),
        );
    let due: Vec<(DeliveryRow, WebhookRow)> = due(at)
        .filter(not(exists(waiting_behind)))
        .order(webhook_deliveries::id)
        .limit(limit)
        .select((DeliveryRow::as_select(), WebhookRow::as_select()))
        .load(conn)?;
    let ids: Vec<i64> = due.iter().map(|(d, _)| d.id).collect();
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set(webhook_deliveries::claimed_until.eq(at + lease))
        .execute(conn)?;
    Ok(due
        .into_iter()
        .map(|(delivery, webhook)| Claimed { delivery, webhook })
        .collect())
}

/// How one attempt went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub delivery_id: i64,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// Why it failed; `None` when the receiver took it.
    pub error: Option<String>,
}

/// What to do after a failed attempt: try again at a time, or give up.
pub enum AfterFailure {
    RetryAt(NaiveDateTime),
    GiveUp,
}

/// Records an attempt and moves its message on: delivered, due again later, or
/// failed for good, which turns its subscription off with the reason.
pub fn record(
    conn: &mut AnyConnection,
    outcome: &Outcome,
    after_failure: impl FnOnce(i32) -> AfterFailure,
) -> ApiResult<()> {
    let Some(delivery) = webhook_deliveries::table
        .find(outcome.delivery_id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?
    else {
        // Its subscription was deleted meanwhile, and the message with it: there
        // is nothing to record (and recording it would fail the others' records).
        return Ok(());
    };
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::delivery_id.eq(outcome.delivery_id),
            webhook_attempts::attempted_at.eq(outcome.attempted_at),
            webhook_attempts::status_code.eq(outcome.status_code),
            webhook_attempts::latency_ms.eq(outcome.latency_ms),
            webhook_attempts::error.eq(&outcome.error),
        ))
        .execute(conn)?;
    let attempts = delivery.attempts + 1;
    let row = webhook_deliveries::table.find(delivery.id);
    let Some(error) = &outcome.error else {
        diesel::update(row)
            .set((
                webhook_deliveries::state.eq(DELIVERED),
                webhook_deliveries::attempts.eq(attempts),
                webhook_deliveries::delivered_at.eq(outcome.attempted_at),
                webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                webhook_deliveries::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        return Ok(());
    };
    match after_failure(attempts) {
        AfterFailure::RetryAt(next) => {
            diesel::update(row)
                .set((
                    webhook_deliveries::attempts.eq(attempts),
                    webhook_deliveries::next_attempt_at.eq(next),
                    webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::last_error.eq(error),
                ))
                .execute(conn)?;
        }
        AfterFailure::GiveUp => {
            diesel::update(row)
                .set((
                    webhook_deliveries::state.eq(FAILED),
                    webhook_deliveries::attempts.eq(attempts),
                    webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
                    webhook_deliveries::last_error.eq(error),
                ))
                .execute(conn)?;
            disable(
                conn,
                delivery.webhook_id,
                &format!(
                    "message {} ({}) failed {attempts} times; last error: {error}",
                    delivery.message_id, delivery.event
                ),
            )?;
        }
    }
    Ok(())
}

/// A subscription's messages, newest first, with their attempts.
pub fn deliveries(
    conn: &mut AnyConnection,
    webhook_id: i32,
    page: PageRequest,
) -> ApiResult<(Vec<DeliveryWithAttempts>, i64)> {
    find(conn, webhook_id)?;
    let of_webhook =
        webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(webhook_id));
    let total = of_webhook.count().get_result(conn)?;
    let rows: Vec<DeliveryRow> = of_webhook
        .order(webhook_deliveries::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .order(webhook_attempts::id)
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|d| {
                let mine = attempts
                    .iter()
                    .filter(|a| a.delivery_id == d.id)
                    .cloned()
                    .collect();
                (d, mine)
            })
            .collect(),
        total,
    ))
}

/// Makes a message due now (one more attempt, whatever its state).
pub fn retry(
    conn: &mut AnyConnection,
    webhook_id: i32,
    delivery_id: i64,
) -> ApiResult<DeliveryWithAttempts> {
    let row = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(delivery_id));
    let updated = diesel::update(row)
        .set((
            webhook_deliveries::state.eq(PENDING),
            webhook_deliveries::next_attempt_at.eq(now()),
            webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::NotFound(format!(
            "webhook {webhook_id} has no delivery {delivery_id}"
        )));
    }
    let delivery = row.select(DeliveryRow::as_select()).first(conn)?;
    let attempts = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(delivery_id))
        .order(webhook_attempts::id)
        .select(AttemptRow::as_select())
        .load(conn)?;
    Ok((delivery, attempts))
}

/// Deletes the messages settled (delivered or given up) before `cutoff`, with
/// their attempts; returns how many. Pending ones stay, however old.
pub fn trim(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> ApiResult<usize> {
    Ok(diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::state.ne(PENDING))
            .filter(webhook_deliveries::created_at.lt(cutoff)),
    )
    .execute(conn)?)
}

/// How many messages wait, wait again after a failed attempt, or were given up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MessageCounts {
    pub pending: i64,
    pub retrying: i64,
    pub failed: i64,
}

pub fn message_counts(conn: &mut AnyConnection) -> ApiResult<MessageCounts> {
    let count = |conn: &mut AnyConnection, state: &str, retried: bool| -> ApiResult<i64> {
        let query = webhook_deliveries::table
            .filter(webhook_deliveries::state.eq(state.to_owned()))
            .into_boxed();
        let query = if retried {
            query.filter(webhook_deliveries::attempts.gt(0))
        } else {
            query
        };
        Ok(query.count().get_result(conn)?)
    };
    Ok(MessageCounts {
        pending: count(conn, PENDING, false)?,
        retrying: count(conn, PENDING, true)?,
        failed: count(conn, FAILED, false)?,
    })
}
