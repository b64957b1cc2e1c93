//! What sections, tags and authors store alike, written once: a named resource
//! with a slug, a name and a description, texts in other languages, a version,
//! and its count of published articles. Each module declares its row, what a
//! new one and an edit hold, its own columns and, where it has rules of its own
//! (a section's parent, a section that must be empty to go), the functions that
//! keep them; `named_store!` writes the rest.

/// The data layer of a named resource over `$table`:
/// - `extra`: its own columns, each stored from the field of that name of the
///   new resource and of an edit;
/// - `resolved`: columns worked out from a field of the new resource or the edit
///   by the functions named (`column from field = on_create / on_edit`), which
///   may refuse it;
/// - `order`: the columns a list is sorted by before the id;
/// - `records`: how rows become what the API shows (by default, each with its
///   count of published articles);
/// - `before_delete`: a function that may refuse to delete a row.
///
/// It writes finding, listing, creating, updating and deleting one, reading
/// rows by id for sync, and resolving slugs to ids.
macro_rules! named_store {
    (
        table: $table:ident, row: $row:ident, new: $new:ident, changes: $changes:ident,
        kind: $kind:ident, noun: $noun:literal, field: $field:literal,
        order: [$($order:ident),*],
        extra: [$($extra:ident),*],
        resolved: [$($resolved:ident from $source:ident = $on_create:ident / $on_edit:ident),*],
        $(records: $record:ty = $records:ident,)?
        $(before_delete: $before_delete:ident,)?
        $(#[doc = $ids_doc:literal])*
    ) => {
        $crate::db::named::named_store!(@records $row, $kind $(, $record = $records)?);

        impl $changes {
            /// The fields this edit sets, for the change log.
            fn named_fields(&self) -> Vec<String> {
                $crate::db::changes::fields_set(&[
                    ("slug", self.slug.is_some()),
                    ("name", self.name.is_some()),
                    ("description", self.description.is_some()),
                    $((stringify!($extra), self.$extra.is_some()),)*
                    $((stringify!($source), self.$source.is_some()),)*
                    ("language", self.language.is_some()),
                    ("translations", self.translations.is_some()),
                ])
            }
        }

        fn slugs_taken(
            conn: &mut $crate::db::AnyConnection,
            slugs: &[String],
        ) -> $crate::error::ApiResult<Vec<String>> {
            Ok($table::table
                .filter($table::slug.eq_any(slugs))
                .select($table::slug)
                .load(conn)?)
        }

        /// The one that answers to `slug`, as the API shows it.
        fn record(
            conn: &mut $crate::db::AnyConnection,
            row: $row,
        ) -> $crate::error::ApiResult<Record> {
            records(conn, vec![row])?.pop().ok_or_else(|| {
                $crate::error::ApiError::Internal(concat!($noun, " vanished while reading it").into())
            })
        }

        /// A page, in list order.
        pub fn list(
            conn: &mut $crate::db::AnyConnection,
            page: $crate::db::PageRequest,
        ) -> $crate::error::ApiResult<(Vec<Record>, i64)> {
            let total = $table::table.count().get_result(conn)?;
            let rows = $table::table
                .order(($($table::$order,)* $table::id))
                .limit(page.per_page)
                .offset(page.offset())
                .select($row::as_select())
                .load(conn)?;
            Ok((records(conn, rows)?, total))
        }

        /// Rows by id (see `ById`), as the API shows them.
        pub fn by_id(
            conn: &mut $crate::db::AnyConnection,
            selection: $crate::db::ById<'_>,
        ) -> $crate::error::ApiResult<Vec<Record>> {
            let query = $table::table.order($table::id).select($row::as_select());
            let rows = match selection {
                $crate::db::ById::After(after, limit) => {
                    query.filter($table::id.gt(after)).limit(limit).load(conn)?
                }
                $crate::db::ById::Only(ids) => query.filter($table::id.eq_any(ids)).load(conn)?,
            };
            records(conn, rows)
        }

        /// Its own row: nothing counted, nothing joined.
        pub fn find_row(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
        ) -> $crate::error::ApiResult<$row> {
            $table::table
                .filter($table::slug.eq(slug))
                .select($row::as_select())
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    $crate::error::ApiError::NotFound(format!(
                        concat!("there is no ", $noun, " {slug:?}"),
                        slug = slug
                    ))
                })
        }

        /// The one at `slug`, as the API shows it.
        pub fn find(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
        ) -> $crate::error::ApiResult<Record> {
            let row = find_row(conn, slug)?;
            record(conn, row)
        }

        /// Creates one, logged as `actor`'s.
        pub fn create(
            conn: &mut $crate::db::AnyConnection,
            new: $new,
            actor: &str,
        ) -> $crate::error::ApiResult<Record> {
            use $crate::content::names;
            $(let $resolved = $on_create(conn, &new)?;)*
            let slug =
                $crate::db::choose_slug(conn, new.slug, &new.name, $noun, &mut slugs_taken)?;
            let t = $crate::db::now();
            diesel::insert_into($table::table)
                .values((
                    $table::slug.eq(&slug),
                    $table::name.eq(&new.name),
                    $table::description.eq(&new.description),
                    $($table::$extra.eq(&new.$extra),)*
                    $($table::$resolved.eq($resolved),)*
                    $table::translations.eq(names::apply(names::NONE_STORED, new.translations)),
                    $table::language.eq(&new.language),
                    $table::created_at.eq(t),
                    $table::updated_at.eq(t),
                ))
                .execute(conn)?;
            let row = find_row(conn, &slug)?;
            $crate::db::changes::log_named_created(
                conn,
                $crate::db::changes::Resource::$kind,
                (row.id, &row.slug),
                actor,
            )?;
            record(conn, row)
        }

        /// Saves `actor`'s edit of the one at `slug`.
        pub fn update(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
            mut changes: $changes,
            actor: &str,
        ) -> $crate::error::ApiResult<Record> {
            let row = find_row(conn, slug)?;
            let fields = changes.named_fields();
            if let Some(new_slug) = changes.slug.as_deref().filter(|s| *s != row.slug) {
                $crate::db::ensure_free(conn, new_slug, $noun, &mut slugs_taken)?;
            }
            $(let $resolved = $on_edit(conn, &row, &changes)?.map(|v| $table::$resolved.eq(v));)*
            let new_slug = changes.slug.clone().unwrap_or(row.slug.clone());
            let translations = changes.translations.take().map(|edits| {
                $table::translations.eq($crate::content::names::apply(&row.translations, edits))
            });
            diesel::update($table::table.find(row.id))
                .set((
                    &changes,
                    $($resolved,)*
                    translations,
                    $table::updated_at.eq($crate::db::now()),
                    $table::version.eq($crate::db::commit::next_version(row.version)),
                ))
                .execute(conn)?;
            let updated = find_row(conn, &new_slug)?;
            $crate::db::changes::log_named_update(
                conn,
                $crate::db::changes::Resource::$kind,
                (row.id, row.slug.as_str(), updated.slug.as_str()),
                updated.version,
                fields,
                actor,
            )?;
            record(conn, updated)
        }

        /// Deletes the one at `slug`, logged as `actor`'s; its links to articles go with it.
        pub fn delete(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
            actor: &str,
        ) -> $crate::error::ApiResult<()> {
            let row = find_row(conn, slug)?;
            $($before_delete(conn, &row)?;)?
            let logged = (row.id, row.slug.as_str(), row.version);
            $crate::db::changes::log_named_deleted(
                conn,
                $crate::db::changes::Resource::$kind,
                logged,
                actor,
            )?;
            diesel::delete($table::table.find(row.id)).execute(conn)?;
            Ok(())
        }

        $(#[doc = $ids_doc])*
        pub fn ids_for(
            conn: &mut $crate::db::AnyConnection,
            slugs: &[String],
        ) -> $crate::error::ApiResult<Vec<i32>> {
            let found: Vec<(i32, String)> = $table::table
                .filter($table::slug.eq_any(slugs))
                .select(($table::id, $table::slug))
                .load(conn)?;
            $crate::db::resolve_in_order(slugs, &found, $field, $noun)
        }
    };

    // By default the API shows each row with its count of published articles.
    (@records $row:ident, $kind:ident) => {
        /// What the API shows of one.
        pub type Record = $crate::db::counts::Counted<$row>;

        fn records(
            conn: &mut $crate::db::AnyConnection,
            rows: Vec<$row>,
        ) -> $crate::error::ApiResult<Vec<Record>> {
            $crate::db::counts::attach(conn, $crate::db::counts::Taxonomy::$kind, rows, |r| r.id)
        }
    };
    (@records $row:ident, $kind:ident, $record:ty = $records:ident) => {
        /// What the API shows of one.
        pub type Record = $record;

        use $records as records;
    };
}

pub(crate) use named_store;
