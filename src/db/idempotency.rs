//! Recorded answers to creates sent with an `Idempotency-Key`, so that a client
//! retrying after a lost answer gets the first answer again instead of a duplicate.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::idempotency_keys as keys;
use super::{now, savepoint, AnyConnection};
use crate::error::{ApiError, ApiResult};

/// How long a key is remembered.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = keys)]
pub struct Recorded {
    pub request_digest: String,
    pub status: i32,
    pub location: Option<String>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

/// What a key tells a create that is about to run.
pub enum Claim {
    /// First use: go ahead, then `record` the answer in the same transaction.
    New,
    /// Used before: this was the answer.
    Answered(Recorded),
}

fn find(conn: &mut AnyConnection, token: &str, key: &str) -> ApiResult<Option<Recorded>> {
    Ok(keys::table
        .filter(keys::token_name.eq(token))
        .filter(keys::key.eq(key))
        .filter(keys::created_at.gt(now() - KEPT_FOR))
        .select(Recorded::as_select())
        .first(conn)
        .optional()?)
}

/// Inside a write transaction: claims `key` for this token, or finds its answer.
/// A concurrent first use of the same key waits on the key's row until the other
/// transaction ends, then sees its answer.
pub fn claim(conn: &mut AnyConnection, token: &str, key: &str, digest: &str) -> ApiResult<Claim> {
    if let Some(recorded) = find(conn, token, key)? {
        return Ok(Claim::Answered(recorded));
    }
    // An expired entry makes way for the new one.
    diesel::delete(
        keys::table
            .filter(keys::token_name.eq(token))
            .filter(keys::key.eq(key))
            .filter(keys::created_at.le(now() - KEPT_FOR)),
    )
    .execute(conn)?;
    let inserted = savepoint(conn, |conn| {
        diesel::insert_into(keys::table)
            .values((
                keys::token_name.eq(token),
                keys::key.eq(key),
                keys::request_digest.eq(digest),
                keys::status.eq(0),
                keys::body.eq(""),
                keys::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(())
    });
    match inserted {
        Ok(()) => Ok(Claim::New),
        Err(ApiError::Conflict(_)) => find(conn, token, key)?
            .map(Claim::Answered)
            .ok_or_else(|| ApiError::Internal("an idempotency key vanished".into())),
        Err(other) => Err(other),
    }
}

/// Records the answer of a create that `claim` let through.
pub fn record(
    conn: &mut AnyConnection,
    token: &str,
    key: &str,
    status: u16,
    location: &str,
    body: &str,
) -> ApiResult<()> {
    diesel::update(
        keys::table
            .filter(keys::token_name.eq(token))
            .filter(keys::key.eq(key)),
    )
    .set((
        keys::status.eq(i32::from(status)),
        keys::location.eq(location),
        keys::body.eq(body),
    ))
    .execute(conn)?;
    Ok(())
}
