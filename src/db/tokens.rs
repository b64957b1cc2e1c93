//! API tokens, stored as SHA-256 hashes only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Action, Managed};
use super::schema::api_tokens;
use super::{now, AnyConnection};
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub scope: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

/// Whether a token can be used now, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Revoked(NaiveDateTime),
    Expired(NaiveDateTime),
}

impl TokenRow {
    pub fn state(&self, at: NaiveDateTime) -> TokenState {
        match (self.revoked_at, self.expires_at) {
            (Some(revoked), _) => TokenState::Revoked(revoked),
            (None, Some(expires)) if expires <= at => TokenState::Expired(expires),
            _ => TokenState::Active,
        }
    }
}

/// Creates a token and logs it in the audit log as `actor`'s, in the caller's
/// transaction: whichever door it came through (the API, `folio token`), a token
/// never exists without its entry.
pub fn create(
    conn: &mut AnyConnection,
    (name, scope, hash): (&str, &str, &str),
    expires_at: Option<NaiveDateTime>,
    actor: &str,
) -> ApiResult<TokenRow> {
    let taken: i64 = api_tokens::table
        .filter(api_tokens::name.eq(name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(format!(
            "a token named {name:?} already exists; revoke it or choose another name"
        )));
    }
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::name.eq(name),
            api_tokens::scope.eq(scope),
            api_tokens::token_hash.eq(hash),
            api_tokens::created_at.eq(now()),
            api_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    let row = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .select(TokenRow::as_select())
        .first(conn)?;
    audit::log(
        conn,
        (Managed::Token, row.id, &row.name),
        Action::Created,
        actor,
    )?;
    Ok(row)
}

/// The token with this hash, whatever its state.
pub fn find_by_hash(conn: &mut AnyConnection, hash: &str) -> ApiResult<Option<TokenRow>> {
    Ok(api_tokens::table
        .filter(api_tokens::token_hash.eq(hash))
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut AnyConnection, id: i32) -> ApiResult<TokenRow> {
    api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("there is no token {id}")))
}

pub fn list(conn: &mut AnyConnection) -> ApiResult<Vec<TokenRow>> {
    Ok(api_tokens::table
        .order(api_tokens::name)
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Revokes the live token named `name`, logged as `actor`'s; false when there is
/// none.
pub fn revoke(conn: &mut AnyConnection, name: &str, actor: &str) -> ApiResult<bool> {
    let live: Option<i32> = api_tokens::table
        .filter(api_tokens::name.eq(name))
        .filter(api_tokens::revoked_at.is_null())
        .select(api_tokens::id)
        .first(conn)
        .optional()?;
    match live {
        Some(id) => revoke_id(conn, id, actor).map(|_| true),
        None => Ok(false),
    }
}

/// Revokes the token with this id, logged as `actor`'s (already revoked:
/// unchanged, and nothing logged).
pub fn revoke_id(conn: &mut AnyConnection, id: i32, actor: &str) -> ApiResult<TokenRow> {
    let changed = diesel::update(
        api_tokens::table
            .find(id)
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    let row = find(conn, id)?;
    if changed > 0 {
        audit::log(
            conn,
            (Managed::Token, id, &row.name),
            Action::Revoked,
            actor,
        )?;
    }
    Ok(row)
}
