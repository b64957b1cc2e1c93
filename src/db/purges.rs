//! How far the change log's purges have gone for each target, and which node sends
//! them: one at a time, under a lease kept in `folio_state`, so that nodes sharing
//! a database do not all purge the same keys, and a node that dies hands over when
//! it lapses. Each target keeps its own place, so one that fails holds back no other.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::changes;
use super::shared_state::{get, set_state, state_or_insert};
use super::AnyConnection;
use crate::error::ApiResult;
use crate::surrogate::SurrogateKeys;

/// The last change whose keys were purged, for every target at once: where each
/// target starts when it has no place of its own yet (kept from older versions).
const PURGED_THROUGH: &str = "purged_through";

/// The last change whose keys `target` (a `Target`'s name) took.
fn progress_key(target: &str) -> String {
    format!("{PURGED_THROUGH} {target}")
}
/// `<node> <until>`: who sends purges, and until when unless renewed.
const LEASE: &str = "purge_lease";

/// The keys of consecutive changes, purged together.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The last change in it.
    pub through: i64,
    pub keys: SurrogateKeys,
}

/// Where purges to `targets` start when they were never sent to them from this
/// database: where all targets had got to, if an older version purged; else after
/// the last change made before `serving_since`, when the node that configured them
/// started (what was cached before cannot have been keyed by Folio). Call it
/// outside a transaction.
pub fn start(
    conn: &mut AnyConnection,
    serving_since: NaiveDateTime,
    targets: &[String],
) -> ApiResult<()> {
    let before: Option<i64> = changes::table
        .filter(changes::changed_at.lt(serving_since))
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    let all = get(conn, PURGED_THROUGH)?.and_then(|v| v.parse::<i64>().ok());
    let from = all.or(before).unwrap_or(0).to_string();
    for target in targets {
        state_or_insert(conn, &progress_key(target), &from)?;
    }
    Ok(())
}

fn purged_through(conn: &mut AnyConnection, target: &str) -> ApiResult<i64> {
    Ok(get(conn, &progress_key(target))?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

/// Whether changes wait to be purged from `target`: a cheap check before taking
/// the write lock.
pub fn pending(conn: &mut AnyConnection, target: &str) -> ApiResult<bool> {
    Ok(purged_through(conn, target)? < super::changes::latest(conn)?)
}

fn lease_holder(conn: &mut AnyConnection, at: NaiveDateTime) -> ApiResult<Option<String>> {
    let Some(lease) = get(conn, LEASE)? else {
        return Ok(None);
    };
    let (node, until) = lease.split_once(' ').unwrap_or((&lease, ""));
    let until = NaiveDateTime::parse_from_str(until, "%Y-%m-%dT%H:%M:%S%.f").ok();
    Ok(until.filter(|u| *u > at).map(|_| node.to_owned()))
}

/// In a write transaction: takes or renews the lease for `node` unless another
/// node holds it, and returns the keys of up to `limit` changes not purged from
/// `target` yet.
pub fn claim(
    conn: &mut AnyConnection,
    node: &str,
    at: NaiveDateTime,
    lease: TimeDelta,
    (target, limit): (&str, i64),
) -> ApiResult<Option<Batch>> {
    if lease_holder(conn, at)?.is_some_and(|holder| holder != node) {
        return Ok(None);
    }
    let until = (at + lease).format("%Y-%m-%dT%H:%M:%S%.f");
    set_state(conn, LEASE, &format!("{node} {until}"))?;
    let after = purged_through(conn, target)?;
    let rows = keys_after(conn, after, limit)?;
    let Some(through) = rows.last().map(|(seq, _)| *seq) else {
        return Ok(None);
    };
    let mut keys = SurrogateKeys::new();
    for (_, text) in &rows {
        keys.extend(SurrogateKeys::parse(text).iter().map(str::to_owned));
    }
    Ok(Some(Batch { through, keys }))
}

/// The changes after `seq`, oldest first, at most `limit`, with the keys each purges.
pub fn keys_after(conn: &mut AnyConnection, seq: i64, limit: i64) -> ApiResult<Vec<(i64, String)>> {
    Ok(changes::table
        .filter(changes::seq.gt(seq))
        .order(changes::seq)
        .limit(limit)
        .select((changes::seq, changes::purge_keys))
        .load(conn)?)
}

/// In a write transaction: records that `target` took a batch, if `node` still
/// holds the lease (else the node that took it over purges the batch again: harmless).
pub fn done(
    conn: &mut AnyConnection,
    node: &str,
    at: NaiveDateTime,
    (target, through): (&str, i64),
) -> ApiResult<()> {
    if lease_holder(conn, at)?.as_deref() == Some(node) && through > purged_through(conn, target)? {
        set_state(conn, &progress_key(target), &through.to_string())?;
    }
    Ok(())
}
