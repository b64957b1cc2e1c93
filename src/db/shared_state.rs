//! Small named values every node reads from the database (`folio_state`): the
//! key that signs sync tokens, how far the change log was trimmed, how far
//! scheduled publications were announced and webhook messages made.

use diesel::prelude::*;

use super::schema::folio_state;
use super::AnyConnection;
use crate::error::{ApiError, ApiResult};

/// A value every node shares, by name.
pub fn get(conn: &mut AnyConnection, name: &str) -> ApiResult<Option<String>> {
    Ok(folio_state::table
        .find(name)
        .select(folio_state::value)
        .first(conn)
        .optional()?)
}

/// A shared value, set to `value` if it has none yet: when several nodes race to
/// set it, all of them read back the one that won. Call it outside a transaction
/// (the losing insert fails, which would abort one on PostgreSQL).
pub fn state_or_insert(conn: &mut AnyConnection, name: &str, value: &str) -> ApiResult<String> {
    if let Some(existing) = get(conn, name)? {
        return Ok(existing);
    }
    let inserted = diesel::insert_into(folio_state::table)
        .values((folio_state::name.eq(name), folio_state::value.eq(value)))
        .execute(conn);
    match inserted.map_err(ApiError::from) {
        Ok(_) | Err(ApiError::Conflict(_)) => {}
        Err(other) => return Err(other),
    }
    get(conn, name)?.ok_or_else(|| ApiError::Internal(format!("{name} could not be stored")))
}

pub fn set_state(conn: &mut AnyConnection, name: &str, value: &str) -> ApiResult<()> {
    diesel::delete(folio_state::table.find(name)).execute(conn)?;
    diesel::insert_into(folio_state::table)
        .values((folio_state::name.eq(name), folio_state::value.eq(value)))
        .execute(conn)?;
    Ok(())
}
