//! Reading articles for a response: only the parts it shows, in a fixed number of
//! statements, each of which the database prepares once (see `id_in`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text, Timestamp};

use super::{ArticleRecord, ArticleRow, Condition, Label};
use crate::content::markdown;
use crate::content::names::ReadOnce;
use crate::db::schema::articles;
use crate::db::static_sql::StaticSql;
use crate::db::{dialect, AnyConnection, Db};
use crate::error::ApiResult;

/// Which parts of its articles a response shows. A body is most of a row and tags
/// and authors cost a statement: what is not shown is not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The Markdown source (also what a search highlight is cut from).
    pub body: bool,
    pub body_html: bool,
    /// The body as blocks.
    pub blocks: bool,
    pub tags: bool,
    pub authors: bool,
    /// The cover and the images the body names.
    pub assets: bool,
    /// The story's other versions.
    pub translations: bool,
    /// When the article last changed, as its `Last-Modified` says (see
    /// `db::modified`): read in the same statement, for a single article.
    pub last_change: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        body: true,
        body_html: true,
        blocks: true,
        tags: true,
        authors: true,
        assets: true,
        translations: true,
        last_change: false,
    };
    /// What an article summary shows: everything but the body.
    pub const SUMMARY: Parts = Parts {
        body: false,
        body_html: false,
        blocks: false,
        ..Parts::ALL
    };
}

/// `column IN (ids)` as one statement text whatever the number of ids, so the
/// database prepares it once: `IN (?, ?, …)` would be a new statement per length.
pub fn id_in(conn: &AnyConnection, column: &'static str, ids: &[i32]) -> Condition {
    let (before, after) = dialect::of(conn).integers_in_list();
    Box::new(
        StaticSql::<Nullable<Bool>>::new(column)
            .sql(" IN (")
            .sql(before)
            .bind_text(id_list(ids))
            .sql(after)
            .sql(")"),
    )
}

/// Ids as the text `Dialect::integers_in_list` reads: `1,2,3`.
fn id_list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// A text column, or the empty string in its place when it is not wanted.
fn text_column(column: &'static str, wanted: bool) -> StaticSql<Text> {
    StaticSql::new(if wanted { column } else { "''" })
}

/// A row as `records` reads it: the article, its section's slug, name,
/// translations and language, whether it has tags or authors (as `parts` asks),
/// uses assets and has other versions, and the time of its newest logged change.
type Loaded = (
    ArticleRow,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    bool,
    bool,
    bool,
    Option<NaiveDateTime>,
);

/// Whether an article has the tags or authors `parts` asks for: an article with
/// none costs no statement for them.
fn has_labels(parts: Parts) -> &'static str {
    macro_rules! linked {
        ($table:literal) => {
            concat!(
                "EXISTS (SELECT 1 FROM ",
                $table,
                " l WHERE l.article_id = articles.id)"
            )
        };
    }
    match (parts.tags, parts.authors) {
        (true, true) => concat!(
            "(",
            linked!("article_tags"),
            " OR ",
            linked!("article_authors"),
            ")"
        ),
        (true, false) => linked!("article_tags"),
        (false, true) => linked!("article_authors"),
        (false, false) => "1 = 0",
    }
}

/// The articles `query` selects, in its order, with their section, tags and authors
/// as `parts` asks: two statements, one when tags and authors are not shown.
pub fn records(
    conn: &mut AnyConnection,
    query: articles::BoxedQuery<'static, Db>,
    parts: Parts,
) -> ApiResult<Vec<ArticleRecord>> {
    let rows = load(conn, query, parts)?;
    let labelled: Vec<i32> = rows
        .iter()
        .filter(|(.., has_labels, _, _, _)| *has_labels)
        .map(|(row, ..)| row.id)
        .collect();
    let with_assets: Vec<i32> = rows
        .iter()
        .filter(|(.., uses_assets, _, _)| *uses_assets)
        .map(|(row, ..)| row.id)
        .collect();
    let mut groups: Vec<String> = rows
        .iter()
        .filter(|(.., translated, _)| *translated)
        .map(|(row, ..)| row.translation_group.clone())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let members = super::translations::public_members(conn, &groups, crate::db::now())?;
    let mut stored_translations = ReadOnce::default();
    let mut labels = labels(conn, &labelled, parts, &mut stored_translations)?;
    let mut assets = crate::db::assets::of_articles(conn, &with_assets)?;
    // What each body links to, from the derived forms this read loaded.
    let link_names: Vec<Vec<String>> = rows
        .iter()
        .map(|(row, ..)| {
            let mut names = markdown::linked_articles(&row.blocks);
            for name in markdown::linked_articles(&row.body_html) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            names
        })
        .collect();
    let mut all_names: Vec<String> = link_names.iter().flatten().cloned().collect();
    all_names.sort_unstable();
    all_names.dedup();
    let targets = super::linked::public_targets(conn, &all_names, crate::db::now())?;
    let mut link_names = link_names.into_iter();
    Ok(rows
        .into_iter()
        .map(
            |(
                row,
                section_slug,
                section_name,
                section_translations,
                section_language,
                _,
                _,
                _,
                last_change,
            )| {
                let (tags, authors) = labels.remove(&row.id).unwrap_or_default();
                let names = link_names.next().unwrap_or_default();
                let linked = targets
                    .iter()
                    .filter(|t| {
                        names.contains(&t.article.public_id)
                            || names.contains(&t.article.slug.to_ascii_lowercase())
                    })
                    .cloned()
                    .collect();
                let translations = members
                    .get(&row.translation_group)
                    .map(|all| {
                        all.iter()
                            .filter(|m| m.public_id != row.public_id)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                ArticleRecord {
                    section: section_slug.zip(section_name).map(|(slug, name)| Label {
                        slug,
                        name,
                        translations: section_translations
                            .and_then(|stored| stored_translations.read(stored)),
                        language: section_language,
                    }),
                    tags,
                    authors,
                    assets: assets.remove(&row.id).unwrap_or_default(),
                    translations,
                    linked,
                    last_change,
                    row,
                }
            },
        )
        .collect())
}

/// The rows `query` selects, each with its section's label, whether it has tags
/// or authors, uses assets, has other versions, and (when asked) its last change.
fn load(
    conn: &mut AnyConnection,
    query: articles::BoxedQuery<'static, Db>,
    parts: Parts,
) -> ApiResult<Vec<Loaded>> {
    use articles::{
        created_at, excerpt, first_published_at, id, language, metadata, public_id, published_at,
        reading_time_minutes, section_id, standfirst, status, title, title_key, translation_group,
        updated_at, version, word_count,
    };
    // The section's label rides along as two subqueries on its primary key, which
    // keeps `query` a query on articles alone.
    Ok(query
        .select((
            (
                id,
                public_id,
                articles::slug,
                title,
                standfirst,
                text_column("articles.body", parts.body),
                text_column("articles.body_html", parts.body_html),
                excerpt,
                language,
                status,
                section_id,
                word_count,
                reading_time_minutes,
                metadata,
                published_at,
                first_published_at,
                created_at,
                updated_at,
                version,
                title_key,
                translation_group,
                text_column("articles.blocks", parts.blocks),
            ),
            StaticSql::<Nullable<Text>>::new(
                "(SELECT sections.slug FROM sections WHERE sections.id = articles.section_id)",
            ),
            StaticSql::<Nullable<Text>>::new(
                "(SELECT sections.name FROM sections WHERE sections.id = articles.section_id)",
            ),
            StaticSql::<Nullable<Text>>::new(
                "(SELECT sections.translations FROM sections WHERE sections.id = articles.section_id)",
            ),
            StaticSql::<Nullable<Text>>::new(
                "(SELECT sections.language FROM sections WHERE sections.id = articles.section_id)",
            ),
            StaticSql::<Bool>::new(has_labels(parts)),
            // Whether the article uses any asset: most do not, and then their
            // assets cost no statement.
            StaticSql::<Bool>::new(if parts.assets {
                "EXISTS (SELECT 1 FROM article_assets WHERE article_assets.article_id = articles.id)"
            } else {
                "1 = 0"
            }),
            // Likewise whether the story has other versions.
            StaticSql::<Bool>::new(if parts.translations {
                "EXISTS (SELECT 1 FROM articles other WHERE other.translation_group = \
                 articles.translation_group AND other.id <> articles.id)"
            } else {
                "1 = 0"
            }),
            // One statement fewer for a single article's Last-Modified.
            StaticSql::<Nullable<Timestamp>>::new(if parts.last_change {
                "(SELECT changes.changed_at FROM changes WHERE changes.resource = 'article' \
                 AND changes.resource_id = articles.id ORDER BY changes.seq DESC LIMIT 1)"
            } else {
                "NULL"
            }),
        ))
        .load(conn)?)
}

/// The articles `ids`, in that order, as [`records`] reads them.
pub fn records_in_order(
    conn: &mut AnyConnection,
    ids: &[i32],
    parts: Parts,
) -> ApiResult<Vec<ArticleRecord>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = articles::table
        .into_boxed()
        .filter(id_in(conn, "articles.id", ids));
    let mut found = records(conn, query, parts)?;
    found.sort_by_key(|record| ids.iter().position(|id| *id == record.row.id));
    Ok(found)
}

/// An article's tags and its authors.
type TagsAndAuthors = (Vec<Label>, Vec<Label>);

/// A tag or author of an article as `labels` reads it: which of the two, the
/// article, its slug, name, translations and language, and its place.
type LabelRow = (i32, i32, String, String, String, Option<String>, i32);

/// Each article's tags and authors (as `parts` asks), in their order: one statement.
fn labels(
    conn: &mut AnyConnection,
    ids: &[i32],
    parts: Parts,
    stored_translations: &mut ReadOnce,
) -> ApiResult<HashMap<i32, TagsAndAuthors>> {
    const TAGS: i32 = 0; // as the statement numbers them
    let mut found: HashMap<i32, TagsAndAuthors> = HashMap::new();
    if ids.is_empty() || !(parts.tags || parts.authors) {
        return Ok(found);
    }
    let (before, after) = dialect::of(conn).integers_in_list();
    // A half not asked for is switched off by a constant condition, which the
    // planner drops: the binds stay the same and each variant is one statement.
    let wanted = |on: bool| if on { "1 = 1" } else { "1 = 0" };
    let list = id_list(ids);
    let rows: Vec<LabelRow> =
        StaticSql::<(Integer, Integer, Text, Text, Text, Nullable<Text>, Integer)>::new(
            "SELECT 0, l.article_id, x.slug, x.name, x.translations, x.language, l.position \
             FROM article_tags l JOIN tags x ON x.id = l.tag_id WHERE ",
        )
        .sql(wanted(parts.tags))
        .sql(" AND l.article_id IN (")
        .sql(before)
        .bind_text(list.clone())
        .sql(after)
        .sql(
            ") UNION ALL SELECT 1, l.article_id, x.slug, x.name, x.translations, x.language, \
             l.position
             FROM article_authors l JOIN authors x ON x.id = l.author_id WHERE ",
        )
        .sql(wanted(parts.authors))
        .sql(" AND l.article_id IN (")
        .sql(before)
        .bind_text(list)
        .sql(after)
        .sql(") ORDER BY 1, 2, 7")
        .load(conn)?;
    for (kind, article, slug, name, translations, language, _) in rows {
        let (tags, authors) = found.entry(article).or_default();
        let labels = if kind == TAGS { tags } else { authors };
        labels.push(Label {
            slug,
            name,
            translations: stored_translations.read(translations),
            language,
        });
    }
    Ok(found)
}
