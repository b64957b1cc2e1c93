//! Translations: articles that tell one story in several languages share a
//! translation group, with at most one article per language. Reads that ask for
//! a locale see each group once, in the best language of the reader's chain,
//! and every filter, sort and search applies to that version.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

use super::rows::{Condition, Member, Status, Visibility};
use crate::db::schema::articles;
use crate::db::static_sql::StaticSql;
use crate::db::AnyConnection;
use crate::error::ApiResult;

/// The public versions of each of these groups: one statement.
pub fn public_members(
    conn: &mut AnyConnection,
    groups: &[String],
    at: NaiveDateTime,
) -> ApiResult<HashMap<String, Vec<Member>>> {
    let mut found: HashMap<String, Vec<Member>> = HashMap::new();
    if groups.is_empty() {
        return Ok(found);
    }
    // The group's index must lead: without statistics (a new database, an
    // import) SQLite preferred the index on status and date, and read every
    // published article for each page, which made a large import quadratic.
    let status = crate::db::dialect::of(conn)
        .not_leading("articles.status")
        .unwrap_or_else(|| "articles.status".to_owned());
    let published = format!("{status} = '{}'", Status::Published.as_str());
    let rows = articles::table
        .filter(articles::translation_group.eq_any(groups))
        .filter(sql::<Bool>(&published))
        .filter(articles::published_at.le(at))
        .order((articles::translation_group, articles::language))
        .select((articles::translation_group, Member::as_select()))
        .load::<(String, Member)>(conn)?;
    for (group, member) in rows {
        found.entry(group).or_default().push(member);
    }
    Ok(found)
}

/// A reader's languages, best first: `fr-CA`, then `fr`, then `en`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocaleChain(Vec<String>);

impl LocaleChain {
    /// The reader's languages `tags`, best first, each followed by its shorter
    /// forms (a `fr-CA` reader reads `fr` before the next language, as in RFC
    /// 4647's lookup); compared without regard to case. Each must be a valid tag.
    pub fn new(tags: &[String]) -> Self {
        Self(crate::content::language::lookup_order(tags))
    }

    pub fn tags(&self) -> &[String] {
        &self.0
    }

    /// `(CASE lower(column) WHEN ? THEN 0 … ELSE n END)`: a version's place in the chain.
    fn rank(
        &self,
        mut sql: StaticSql<Nullable<Bool>>,
        column: &'static str,
    ) -> StaticSql<Nullable<Bool>> {
        sql = sql.sql("(CASE lower(").sql(column).sql(")");
        for (place, tag) in self.0.iter().enumerate() {
            sql = sql
                .sql(" WHEN ")
                .bind_text(tag.clone())
                .sql(" THEN ")
                .bind_big_int(place as i64);
        }
        sql.sql(" ELSE ")
            .bind_big_int(self.0.len() as i64)
            .sql(" END)")
    }

    /// Articles in one of the chain's languages.
    pub fn languages(&self) -> Condition {
        let mut sql = StaticSql::<Nullable<Bool>>::new("lower(articles.language) IN (");
        for (place, tag) in self.0.iter().enumerate() {
            sql = sql
                .sql(if place == 0 { "" } else { ", " })
                .bind_text(tag.clone());
        }
        Box::new(sql.sql(")"))
    }

    /// Articles that are their group's best version for this chain among those
    /// `visibility` lets through: the condition the whole list query then refines.
    /// A story in none of the chain's languages is not left out: its versions
    /// tie, and the first written stands for it.
    pub fn best_versions(&self, visibility: Visibility, at: NaiveDateTime) -> Condition {
        let mut sql = StaticSql::<Nullable<Bool>>::new(
            "NOT EXISTS (SELECT 1 FROM articles rival \
             WHERE rival.translation_group = articles.translation_group \
             AND rival.id <> articles.id AND ",
        );
        if visibility == Visibility::Public {
            sql = sql
                .sql("rival.status = 'published' AND rival.published_at <= ")
                .bind_timestamp(at)
                .sql(" AND ");
        }
        sql = self.rank(sql.sql("("), "rival.language").sql(" < ");
        sql = self.rank(sql, "articles.language").sql(" OR ");
        sql = self.rank(sql, "rival.language").sql(" = ");
        sql = self.rank(sql, "articles.language");
        Box::new(sql.sql(" AND rival.id < articles.id))"))
    }
}

#[cfg(test)]
mod tests {
    use super::LocaleChain;

    #[test]
    fn chains_start_with_the_locale_and_name_each_language_once() {
        let tags = ["fr-CA", "fr", "FR-ca", "en"].map(String::from);
        let chain = LocaleChain::new(&tags);
        assert_eq!(chain.tags(), ["fr-ca", "fr", "en"]);
        let regional = LocaleChain::new(&["fr-CA".into(), "en-GB".into()]);
        assert_eq!(regional.tags(), ["fr-ca", "fr", "en-gb", "en"]);
    }
}
