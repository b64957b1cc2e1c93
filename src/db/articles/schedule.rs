//! Scheduled publication as an event: when a published article's publication time
//! passes, nothing is written to it, yet readers must learn that it is now public.
//! `announce_due` records a `published` change for each such article; every node
//! runs it every second or so, and the write lock (see `run_tx`) with the shared
//! watermark makes each announcement happen once, on one node, catching up after
//! downtime.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::change_log::log_change;
use super::rows::ArticleRow;
use crate::db::changes::Action;
use crate::db::schema::{articles, changes as change_log};
use crate::db::shared_state;
use crate::db::{now, AnyConnection};
use crate::error::ApiResult;

/// Who the log names for announcements.
pub const ACTOR: &str = "scheduler";

/// The `folio_state` entry: publication times up to this instant are announced.
const ANNOUNCED_THROUGH: &str = "publications_announced_through";
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6f";

/// Articles that went public by the clock after `since` and up to `until`, without
/// a write since: their last write left them scheduled.
fn went_live(
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> articles::BoxedQuery<'static, crate::db::Db> {
    articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.gt(since))
        .filter(articles::published_at.le(until))
        .filter(articles::updated_at.nullable().lt(articles::published_at))
        .into_boxed()
}

/// Up to when publications were announced: the saved watermark, else the first
/// change ever logged (nothing before the log existed is announced), else now.
fn announced_through(conn: &mut AnyConnection) -> ApiResult<NaiveDateTime> {
    if let Some(saved) = shared_state::get(conn, ANNOUNCED_THROUGH)? {
        if let Ok(t) = NaiveDateTime::parse_from_str(&saved, TIME_FORMAT) {
            return Ok(t);
        }
    }
    let first: Option<NaiveDateTime> = change_log::table
        .filter(change_log::resource.eq_any(crate::db::changes::Resource::ALL.map(|r| r.as_str())))
        .select(diesel::dsl::min(change_log::changed_at))
        .first(conn)?;
    Ok(first.unwrap_or_else(now))
}

/// Whether any announcement is due: a cheap read that spares the write lock.
pub fn any_due(conn: &mut AnyConnection) -> ApiResult<bool> {
    let since = announced_through(conn)?;
    let first: Option<i32> = went_live(since, now())
        .select(articles::id)
        .first(conn)
        .optional()?;
    Ok(first.is_some())
}

/// Records a `published` change for every article whose time has come since the
/// last announcement; runs in a write transaction. Returns how many.
pub fn announce_due(conn: &mut AnyConnection) -> ApiResult<usize> {
    let since = announced_through(conn)?;
    let until = now();
    let due: Vec<ArticleRow> = went_live(since, until)
        .order((articles::published_at, articles::id))
        .select(ArticleRow::as_select())
        .load(conn)?;
    for row in &due {
        announce(conn, row)?;
    }
    shared_state::set_state(
        conn,
        ANNOUNCED_THROUGH,
        &until.format(TIME_FORMAT).to_string(),
    )?;
    Ok(due.len())
}

/// Before a write to an article that went public by the clock and was not yet
/// announced, announces it, so that the log says `published` before what follows.
pub fn announce_if_due(conn: &mut AnyConnection, row: &ArticleRow) -> ApiResult<()> {
    let Some(published_at) = row.published_at else {
        return Ok(());
    };
    if row.status != "published" || published_at > now() || row.updated_at >= published_at {
        return Ok(());
    }
    if published_at > announced_through(conn)? {
        announce(conn, row)?;
    }
    Ok(())
}

fn announce(conn: &mut AnyConnection, row: &ArticleRow) -> ApiResult<()> {
    log_change(
        conn,
        row,
        Action::Published,
        (None, Vec::new()),
        Vec::new(),
        ACTOR,
    )
}
