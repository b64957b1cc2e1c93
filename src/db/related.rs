//! Articles related to another: those sharing its tags weigh most, then those
//! sharing the words of its title and standfirst, then its section.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::articles::{
    id_in, records_in_order, visible, ArticleRecord, ArticleRow, Parts, Visibility,
};
use super::schema::{article_tags, articles};
use super::{now, search_index, AnyConnection};
use crate::content::analysis::{terms, Language};
use crate::content::search::{Clause, SearchQuery};
use crate::error::ApiResult;

const TAG_WEIGHT: f64 = 3.0;
/// The best vocabulary match gets this much; the others in proportion to their score.
const VOCABULARY_WEIGHT: f64 = 2.0;
const SECTION_WEIGHT: f64 = 1.0;
/// How many same-section articles are considered, newest first.
const SECTION_CANDIDATES: i64 = 200;
/// How many of the best vocabulary matches are considered.
const VOCABULARY_CANDIDATES: i64 = 50;
/// Title and standfirst words this short are mostly articles and prepositions.
const MIN_TERM_LEN: usize = 5;
const MAX_TERMS: usize = 12;

/// The distinctive words of an article's title and standfirst, as one search for
/// any of them: the index's ranking then favours the articles that share the most,
/// and the rarest, of them.
fn vocabulary(article: &ArticleRow) -> Option<SearchQuery> {
    let text = format!(
        "{} {}",
        article.title,
        article.standfirst.as_deref().unwrap_or("")
    );
    let mut words: Vec<String> = Vec::new();
    for term in terms(&text, Language::from_tag(&article.language)) {
        if term.chars().count() >= MIN_TERM_LEN && !words.contains(&term) {
            words.push(term);
        }
    }
    words.truncate(MAX_TERMS);
    (!words.is_empty()).then(|| SearchQuery {
        required: vec![Clause::Word(words)],
        excluded: Vec::new(),
    })
}

/// Up to `limit` visible articles related to `article`, most related first, then newest.
pub fn related(
    conn: &mut AnyConnection,
    article: &ArticleRow,
    visibility: Visibility,
    limit: usize,
) -> ApiResult<Vec<ArticleRecord>> {
    let at = now();
    let mut scores: HashMap<i32, f64> = HashMap::new();
    // Candidates the caller may not see are dropped when the rows are loaded.
    let tag_ids: Vec<i32> = article_tags::table
        .filter(article_tags::article_id.eq(article.id))
        .select(article_tags::tag_id)
        .load(conn)?;
    if !tag_ids.is_empty() {
        let shared: Vec<(i32, i64)> = article_tags::table
            .filter(article_tags::tag_id.eq_any(&tag_ids))
            .group_by(article_tags::article_id)
            .select((article_tags::article_id, count_star()))
            .load(conn)?;
        for (id, count) in shared {
            *scores.entry(id).or_insert(0.0) += TAG_WEIGHT * count as f64;
        }
    }
    if let Some(query) = vocabulary(article) {
        let matches = search_index::best(conn, &query, Some(VOCABULARY_CANDIDATES + 1))?;
        let top = matches
            .iter()
            .filter(|(id, _)| *id != article.id)
            .map(|(_, score)| *score)
            .fold(0.0, f64::max);
        if top > 0.0 {
            for (id, score) in matches {
                *scores.entry(id).or_insert(0.0) += VOCABULARY_WEIGHT * score / top;
            }
        }
    }
    if let Some(section) = article.section_id {
        let same: Vec<i32> = visible(visibility, at)
            .filter(articles::section_id.eq(section))
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(SECTION_CANDIDATES)
            .select(articles::id)
            .load(conn)?;
        for id in same {
            *scores.entry(id).or_insert(0.0) += SECTION_WEIGHT;
        }
    }
    scores.remove(&article.id);
    if scores.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = scores.keys().copied().collect();
    let mut candidates: Vec<(i32, Option<NaiveDateTime>)> = visible(visibility, at)
        .filter(id_in(conn, "articles.id", &ids))
        .select((articles::id, articles::published_at))
        .load(conn)?;
    let score = |id: &i32| scores.get(id).copied().unwrap_or(0.0);
    candidates.sort_by(|(a, a_at), (b, b_at)| {
        score(b)
            .total_cmp(&score(a))
            .then(b_at.cmp(a_at))
            .then(b.cmp(a))
    });
    candidates.truncate(limit);
    let ids: Vec<i32> = candidates.into_iter().map(|(id, _)| id).collect();
    records_in_order(conn, &ids, Parts::SUMMARY)
}
