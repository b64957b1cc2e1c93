//! `folio export` and its restore: every table as NDJSON, one row per line,
//! columns as stored (ids, dates to the microsecond, text byte for byte), so that
//! an export loaded into an empty database of either backend is the same data.
//! Token secrets (their hashes) are never written out.

use std::io::{BufRead, Write};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema;
use super::{commit, now, AnyConnection};
use crate::error::{ApiError, ApiResult};

/// The export format; a restore refuses any other.
pub const FORMAT: u32 = 1;

/// The first line of an export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub exported_at: NaiveDateTime,
    /// The backend it was exported from, for the record.
    pub backend: String,
}

/// Declares a row type per table, the line enum, and the per-table export and
/// insert code, from one list of columns (in table order: parents first).
macro_rules! tables {
    ($( $table:ident => $row:ident [$($key:ident),+] { $($(#[$meta:meta])* $col:ident : $ty:ty),* $(,)? } )*) => {
        $(
            #[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, Deserialize)]
            #[diesel(table_name = schema::$table)]
            pub struct $row { $($(#[$meta])* pub $col: $ty),* }
        )*

        /// One line of an export: a table's name and one of its rows.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(tag = "table", content = "row")]
        pub enum Line {
            folio_export(Header),
            $( $table($row), )*
        }

        /// Writes every row of every table, `CHUNK` rows per query, in key order.
        fn export_tables(
            conn: &mut AnyConnection,
            out: &mut dyn Write,
            progress: &dyn Fn(u64),
        ) -> ApiResult<u64> {
            let mut written = 0;
            $(
                let mut offset = 0;
                loop {
                    let rows: Vec<$row> = schema::$table::table
                        .order(($(schema::$table::$key,)+))
                        .limit(CHUNK)
                        .offset(offset)
                        .select($row::as_select())
                        .load(conn)?;
                    let count = rows.len();
                    for row in rows {
                        write_line(out, &Line::$table(row))?;
                    }
                    written += count as u64;
                    progress(count as u64);
                    if (count as i64) < CHUNK {
                        break;
                    }
                    offset += CHUNK;
                }
            )*
            Ok(written)
        }

        /// Counts the rows of every table, for the progress bar.
        fn count_rows(conn: &mut AnyConnection) -> ApiResult<u64> {
            let mut total: i64 = 0;
            $( total += schema::$table::table.count().get_result::<i64>(conn)?; )*
            Ok(total as u64)
        }

        fn insert_line(conn: &mut AnyConnection, line: Line, parents: &mut Vec<(i32, i32)>) -> ApiResult<()> {
            match line {
                Line::folio_export(_) => Err(ApiError::BadRequest(
                    "a second export header in the middle of the file".into(),
                )),
                $( Line::$table(row) => {
                    let row = row.before_insert(parents);
                    diesel::insert_into(schema::$table::table).values(&row).execute(conn)?;
                    Ok(())
                } )*
            }
        }

        /// Whether every exported table is empty (a restore needs an empty database).
        fn is_empty(conn: &mut AnyConnection) -> ApiResult<bool> {
            Ok(count_rows(conn)? == 0)
        }
    };
}

const CHUNK: i64 = 1000;

tables! {
    sections => SectionLine [id] {
        id: i32, slug: String, name: String, description: String, parent_id: Option<i32>,
        position: i32, created_at: NaiveDateTime, updated_at: NaiveDateTime,
        #[serde(default = "first_version")]
        version: i32,
        #[serde(default = "no_translations")]
        translations: String,
        #[serde(default)]
        language: Option<String>,
    }
    tags => TagLine [id] {
        id: i32, slug: String, name: String, description: String,
        created_at: NaiveDateTime, updated_at: NaiveDateTime,
        #[serde(default = "first_version")]
        version: i32,
        #[serde(default = "no_translations")]
        translations: String,
        #[serde(default)]
        language: Option<String>,
    }
    authors => AuthorLine [id] {
        id: i32, slug: String, name: String, description: String, bio: String,
        email: Option<String>, avatar_url: Option<String>,
        created_at: NaiveDateTime, updated_at: NaiveDateTime,
        #[serde(default = "first_version")]
        version: i32,
        #[serde(default = "no_translations")]
        translations: String,
        #[serde(default)]
        language: Option<String>,
    }
    articles => ArticleLine [id] {
        id: i32, public_id: String, slug: String, title: String, standfirst: Option<String>,
        body: String, body_html: String, excerpt: String, language: String, status: String,
        section_id: Option<i32>, word_count: i32, reading_time_minutes: i32, metadata: String,
        published_at: Option<NaiveDateTime>, first_published_at: Option<NaiveDateTime>,
        created_at: NaiveDateTime, updated_at: NaiveDateTime, version: i32, title_key: String,
        #[serde(default)]
        translation_group: String,
        // Derived: a dump made before blocks has none, worked out after the restore.
        #[serde(default)]
        blocks: String,
    }
    assets => AssetLine [id] {
        id: i32, public_id: String, media_type: String, filename: String, byte_size: i64,
        sha256: String, width: Option<i32>, height: Option<i32>, placeholder: Option<String>,
        color: Option<String>, alt: String, caption: String, credit: String,
        focal_x: f64, focal_y: f64, created_at: NaiveDateTime, updated_at: NaiveDateTime,
        version: i32,
    }
    article_assets => ArticleAssetLine [article_id, role, asset_id] {
        article_id: i32, asset_id: i32, role: String, position: i32,
    }
    article_tags => ArticleTagLine [article_id, tag_id] {
        article_id: i32, tag_id: i32, position: i32,
    }
    article_authors => ArticleAuthorLine [article_id, author_id] {
        article_id: i32, author_id: i32, position: i32,
    }
    article_slug_redirects => RedirectLine [slug] {
        slug: String, article_id: i32, created_at: NaiveDateTime,
    }
    import_sources => ImportSourceLine [source] {
        source: String, article_id: i32, digest: String,
    }
    article_revisions => RevisionLine [article_id, number] {
        article_id: i32, number: i32, created_at: NaiveDateTime, actor: String,
        changed: String, snapshot: String,
    }
    article_trash => TrashLine [article_id] {
        article_id: i32, public_id: String, slug: String, title: String, version: i32,
        created_at: NaiveDateTime, first_published_at: Option<NaiveDateTime>,
        deleted_at: NaiveDateTime, deleted_by: String,
    }
    trash_slug_redirects => TrashRedirectLine [slug] {
        slug: String, article_id: i32, created_at: NaiveDateTime,
    }
    api_tokens => TokenLine [id] {
        id: i32, name: String, scope: String,
        #[serde(skip)]
        token_hash: String,
        created_at: NaiveDateTime, last_used_at: Option<NaiveDateTime>,
        revoked_at: Option<NaiveDateTime>, expires_at: Option<NaiveDateTime>,
    }
    audit_log => AuditLine [id] {
        id: i32, at: NaiveDateTime, actor: String, action: String, target: String,
    }
    changes => ChangeLine [seq] {
        seq: i64, resource: String, resource_id: i32, public_id: String, slug: String,
        previous_slug: Option<String>, version: i32, action: String, actor: String,
        changed_at: NaiveDateTime, fields: String,
        #[serde(default)]
        section_id: Option<i32>,
        #[serde(default)]
        language: Option<String>,
        #[serde(default)]
        implied: bool,
        #[serde(default)]
        purge_keys: String,
    }
}

/// The version of a section, tag or author in an export made before they had one.
fn first_version() -> i32 {
    1
}

/// Exports made before names could be translated have none.
fn no_translations() -> String {
    crate::content::names::NONE_STORED.into()
}

/// What a row needs before it is inserted by a restore.
trait BeforeInsert: Sized {
    fn before_insert(self, _parents: &mut Vec<(i32, i32)>) -> Self {
        self
    }
}

impl BeforeInsert for SectionLine {
    /// A parent may come after its child in id order: link them once all exist.
    fn before_insert(mut self, parents: &mut Vec<(i32, i32)>) -> Self {
        if let Some(parent) = self.parent_id.take() {
            parents.push((self.id, parent));
        }
        self
    }
}

impl BeforeInsert for TagLine {}
impl BeforeInsert for AuthorLine {}
impl BeforeInsert for ArticleLine {
    /// An export made before translations: each article its own group.
    fn before_insert(mut self, _parents: &mut Vec<(i32, i32)>) -> Self {
        if self.translation_group.is_empty() {
            self.translation_group = self.public_id.clone();
        }
        self
    }
}
impl BeforeInsert for AssetLine {}
impl BeforeInsert for ArticleAssetLine {}
impl BeforeInsert for ArticleTagLine {}
impl BeforeInsert for ArticleAuthorLine {}
impl BeforeInsert for RedirectLine {}
impl BeforeInsert for ImportSourceLine {}
impl BeforeInsert for RevisionLine {}
impl BeforeInsert for TrashLine {}
impl BeforeInsert for TrashRedirectLine {}
impl BeforeInsert for TokenLine {
    /// The secret's hash was not exported: store a unique value no token hashes to.
    fn before_insert(mut self, _parents: &mut Vec<(i32, i32)>) -> Self {
        self.token_hash = format!("not exported: token {}", self.id);
        self
    }
}
impl BeforeInsert for AuditLine {}
impl BeforeInsert for ChangeLine {}

fn write_line(out: &mut dyn Write, line: &Line) -> ApiResult<()> {
    serde_json::to_writer(&mut *out, line)
        .map_err(|e| ApiError::Internal(format!("cannot write the export: {e}")))?;
    out.write_all(b"\n")
        .map_err(|e| ApiError::Internal(format!("cannot write the export: {e}")))
}

/// Writes the whole database to `out`, in one read transaction so that the
/// export is one consistent moment. `on_start` learns the row count,
/// `progress` each chunk written. Returns the rows written.
pub fn export(
    conn: &mut AnyConnection,
    out: &mut dyn Write,
    on_start: &dyn Fn(u64),
    progress: &dyn Fn(u64),
) -> ApiResult<u64> {
    super::read_tx(conn, |conn| {
        on_start(count_rows(conn)?);
        let header = Header {
            format: FORMAT,
            exported_at: now(),
            backend: super::Backend::of(conn).name().to_owned(),
        };
        write_line(out, &Line::folio_export(header))?;
        export_tables(conn, out, progress)
    })
}

/// Whether `first_line` starts a Folio export (and not articles as JSON lines).
pub fn is_export(first_line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(first_line)
        .is_ok_and(|v| v.get("table").and_then(|t| t.as_str()) == Some("folio_export"))
}

/// Loads an export into an empty database in one transaction: all of it or
/// nothing. Serial counters are moved past the restored ids (PostgreSQL), the
/// search index is rebuilt, and restored tokens are revoked, since their
/// secrets were not exported. Returns the rows restored.
pub fn restore(
    conn: &mut AnyConnection,
    input: &mut dyn BufRead,
    progress: &dyn Fn(u64),
) -> ApiResult<u64> {
    super::write_tx(conn, |conn| {
        if !is_empty(conn)? {
            return Err(ApiError::Conflict(
                "an export can only be restored into an empty database (no content, tokens or audit log)".into(),
            ));
        }
        let mut parents = Vec::new();
        let mut restored = 0;
        for (number, line) in input.lines().enumerate() {
            let text =
                line.map_err(|e| ApiError::BadRequest(format!("line {}: {e}", number + 1)))?;
            if text.trim().is_empty() {
                continue;
            }
            let parsed: Line = serde_json::from_str(&text)
                .map_err(|e| ApiError::BadRequest(format!("line {}: {e}", number + 1)))?;
            match (number, parsed) {
                (0, Line::folio_export(header)) if header.format == FORMAT => continue,
                (0, Line::folio_export(header)) => {
                    return Err(ApiError::BadRequest(format!(
                        "export format {} is not supported (this Folio reads format {FORMAT})",
                        header.format
                    )))
                }
                (0, _) => {
                    return Err(ApiError::BadRequest(
                        "line 1: not a Folio export header".into(),
                    ))
                }
                (_, line) => {
                    insert_line(conn, line, &mut parents).map_err(|e| line_error(number + 1, e))?
                }
            }
            restored += 1;
            progress(1);
        }
        for (id, parent) in parents {
            diesel::update(schema::sections::table.find(id))
                .set(schema::sections::parent_id.eq(parent))
                .execute(conn)?;
        }
        diesel::update(schema::api_tokens::table.filter(schema::api_tokens::revoked_at.is_null()))
            .set(schema::api_tokens::revoked_at.eq(now()))
            .execute(conn)?;
        super::dialect::of(conn).continue_ids_after_restore(conn)?;
        commit::index_missing(conn)?;
        Ok(restored)
    })
}

/// The assets an export records (public id, SHA-256): their files go into the
/// store before the rows are restored.
pub fn asset_files(input: &mut dyn BufRead) -> ApiResult<Vec<(String, String)>> {
    const ASSET_LINE: &str = "{\"table\":\"assets\"";
    let mut found = Vec::new();
    for (number, line) in input.lines().enumerate() {
        let text = line.map_err(|e| ApiError::BadRequest(format!("line {}: {e}", number + 1)))?;
        if !text.starts_with(ASSET_LINE) {
            continue;
        }
        if let Line::assets(asset) = serde_json::from_str(&text)
            .map_err(|e| ApiError::BadRequest(format!("line {}: {e}", number + 1)))?
        {
            found.push((asset.public_id, asset.sha256));
        }
    }
    Ok(found)
}

fn line_error(number: usize, error: ApiError) -> ApiError {
    match error {
        ApiError::Internal(message) => ApiError::Internal(format!("line {number}: {message}")),
        other => ApiError::BadRequest(format!("line {number}: {other}")),
    }
}
