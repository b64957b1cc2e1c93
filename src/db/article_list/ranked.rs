//! Relevance order for searches, settled in rounds against the search index.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conditions::{count_if, filtered, Reading};
use super::cursor::Cursor;
use super::filter::{ArticleFilter, Sort, MAX_RELEVANCE_OFFSET};
use super::page::ArticleList;
use crate::content::search::SearchQuery;
use crate::db::articles::{id_in, records_in_order, Parts, Visibility};
use crate::db::schema::articles;
use crate::db::{search_index, AnyConnection};
use crate::error::ApiResult;

/// The first round asks the index for this many times the matches a page needs.
const FIRST_ROUND_FACTOR: i64 = 4;
/// Past this many matches per round, one last round takes them all.
const MAX_ROUND: i64 = 4_096;

/// Search results best first, by score, then newest, then id, identically on both
/// backends. The index alone picks its best matches by score (no article row is
/// read); the filters then keep those the caller may see. Matches tied with the
/// last one a round returned may have been cut off, so a round settles only the
/// results scored above that tie; when they do not cover the page, the next round
/// asks for four times as many, and the last asks for every match.
#[allow(clippy::too_many_arguments)]
pub(super) fn ranked(
    conn: &mut AnyConnection,
    filter: &ArticleFilter,
    search: &SearchQuery,
    visibility: Visibility,
    at: NaiveDateTime,
    limit: i64,
    offset: i64,
    include_total: bool,
    parts: Parts,
) -> ApiResult<ArticleList> {
    // One more than the page tells whether a next page exists.
    let needed = offset + limit + 1;
    let unsearched = ArticleFilter {
        search: None,
        ..filter.clone()
    };
    let mut round = Some((needed * FIRST_ROUND_FACTOR).max(100)).filter(|n| *n <= MAX_ROUND);
    let candidates = loop {
        let best = search_index::best(conn, search, round)?;
        let complete = round.is_none_or(|n| (best.len() as i64) < n);
        let scores: HashMap<i32, f64> = best.iter().copied().collect();
        let query = match round {
            Some(_) => {
                let ids: Vec<i32> = best.iter().map(|(id, _)| *id).collect();
                filtered(conn, &unsearched, visibility, at, Reading::Few)?.filter(id_in(
                    conn,
                    "articles.id",
                    &ids,
                ))
            }
            // Too many ids to bind: the index is asked again, as a condition.
            None => filtered(conn, filter, visibility, at, Reading::All)?,
        };
        let mut kept: Vec<(i32, Option<NaiveDateTime>)> = query
            .select((articles::id, articles::published_at))
            .load(conn)?;
        let score = |id: &i32| scores.get(id).copied().unwrap_or(0.0);
        kept.sort_by(|(a, a_at), (b, b_at)| {
            score(b)
                .total_cmp(&score(a))
                .then(a_at.is_none().cmp(&b_at.is_none()))
                .then(b_at.cmp(a_at))
                .then(b.cmp(a))
        });
        let settled = match best.last() {
            Some((_, lowest)) if !complete => kept
                .iter()
                .position(|(id, _)| score(id) <= *lowest)
                .unwrap_or(kept.len()),
            _ => kept.len(),
        };
        if complete || settled as i64 >= needed {
            kept.truncate(settled);
            break kept;
        }
        round = round
            .map(|n| n * FIRST_ROUND_FACTOR)
            .filter(|n| *n <= MAX_ROUND);
    };
    let total = count_if(conn, include_total, filter, visibility, at)?;
    let start = (offset as usize).min(candidates.len());
    let end = (start + limit as usize).min(candidates.len());
    let page: Vec<i32> = candidates[start..end].iter().map(|(id, _)| *id).collect();
    let records = records_in_order(conn, &page, parts)?;
    let next = (end < candidates.len() && offset + limit <= MAX_RELEVANCE_OFFSET)
        .then(|| {
            records
                .last()
                .map(|record| Cursor::after(Sort::Relevance, &record.row, offset + limit))
        })
        .flatten();
    Ok(ArticleList {
        records,
        next,
        total,
    })
}
