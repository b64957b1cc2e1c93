//! What tags and authors store alike, written once: a named resource with a slug,
//! a name and a description, texts in other languages, and a count of the
//! published articles that carry it. Each module declares its row, what a new
//! one and an edit hold, and its own columns; `counted_named_store!` writes the
//! rest (sections, a tree, keep their own).

/// The data layer of a counted named resource over `$table`, whose own columns
/// beyond the shared ones are `extra` (each stored as the field of that name of
/// the new resource and of an edit): finding, listing, creating, updating and
/// deleting one, reading rows by id for sync, and resolving slugs to ids.
macro_rules! counted_named_store {
    (
        table: $table:ident, row: $row:ident, new: $new:ident, changes: $changes:ident,
        kind: $kind:ident, noun: $noun:literal, field: $field:literal,
        extra: [$($extra:ident),*],
        $(#[doc = $ids_doc:literal])*
    ) => {
        impl $changes {
            /// The fields this edit sets, for the change log.
            fn named_fields(&self) -> Vec<String> {
                $crate::db::changes::fields_set(&[
                    ("slug", self.slug.is_some()),
                    ("name", self.name.is_some()),
                    ("description", self.description.is_some()),
                    $((stringify!($extra), self.$extra.is_some()),)*
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

        /// A page, by name, with their article counts.
        pub fn list(
            conn: &mut $crate::db::AnyConnection,
            page: $crate::db::PageRequest,
        ) -> $crate::error::ApiResult<(Vec<$crate::db::counts::Counted<$row>>, i64)> {
            let total = $table::table.count().get_result(conn)?;
            let rows = $table::table
                .order(($table::name, $table::id))
                .limit(page.per_page)
                .offset(page.offset())
                .select($row::as_select())
                .load(conn)?;
            let counted = $crate::db::counts::attach(
                conn,
                $crate::db::counts::Taxonomy::$kind,
                rows,
                |r| r.id,
            )?;
            Ok((counted, total))
        }

        /// One with its number of published articles.
        pub fn find_counted(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
        ) -> $crate::error::ApiResult<$crate::db::counts::Counted<$row>> {
            let row = find(conn, slug)?;
            $crate::db::counts::attach_one(conn, $crate::db::counts::Taxonomy::$kind, row, |r| r.id)
        }

        /// Rows by id (see `ById`), with their article counts.
        pub fn by_id(
            conn: &mut $crate::db::AnyConnection,
            selection: $crate::db::ById<'_>,
        ) -> $crate::error::ApiResult<Vec<$crate::db::counts::Counted<$row>>> {
            let query = $table::table.order($table::id).select($row::as_select());
            let rows = match selection {
                $crate::db::ById::After(after, limit) => {
                    query.filter($table::id.gt(after)).limit(limit).load(conn)?
                }
                $crate::db::ById::Only(ids) => query.filter($table::id.eq_any(ids)).load(conn)?,
            };
            $crate::db::counts::attach(conn, $crate::db::counts::Taxonomy::$kind, rows, |r| r.id)
        }

        pub fn find(
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

        /// Creates one, logged as `actor`'s.
        pub fn create(
            conn: &mut $crate::db::AnyConnection,
            new: $new,
            actor: &str,
        ) -> $crate::error::ApiResult<$crate::db::counts::Counted<$row>> {
            use $crate::content::names;
            let slug =
                $crate::db::choose_slug(conn, new.slug, &new.name, $noun, &mut slugs_taken)?;
            let t = $crate::db::now();
            diesel::insert_into($table::table)
                .values((
                    $table::slug.eq(&slug),
                    $table::name.eq(&new.name),
                    $table::description.eq(&new.description),
                    $($table::$extra.eq(&new.$extra),)*
                    $table::translations.eq(names::apply(names::NONE_STORED, new.translations)),
                    $table::language.eq(&new.language),
                    $table::created_at.eq(t),
                    $table::updated_at.eq(t),
                ))
                .execute(conn)?;
            let created = find_counted(conn, &slug)?;
            let row = &created.item;
            $crate::db::changes::log_named_created(
                conn,
                $crate::db::changes::Resource::$kind,
                (row.id, &row.slug),
                actor,
            )?;
            Ok(created)
        }

        /// Saves `actor`'s edit of the one at `slug`.
        pub fn update(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
            mut changes: $changes,
            actor: &str,
        ) -> $crate::error::ApiResult<$crate::db::counts::Counted<$row>> {
            let row = find(conn, slug)?;
            let fields = changes.named_fields();
            if let Some(new_slug) = changes.slug.as_deref().filter(|s| *s != row.slug) {
                $crate::db::ensure_free(conn, new_slug, $noun, &mut slugs_taken)?;
            }
            let new_slug = changes.slug.clone().unwrap_or(row.slug.clone());
            let translations = changes.translations.take().map(|edits| {
                $table::translations.eq($crate::content::names::apply(&row.translations, edits))
            });
            diesel::update($table::table.find(row.id))
                .set((
                    &changes,
                    translations,
                    $table::updated_at.eq($crate::db::now()),
                    $table::version.eq($crate::db::commit::next_version(row.version)),
                ))
                .execute(conn)?;
            let updated = find_counted(conn, &new_slug)?;
            let new = &updated.item;
            let slugs = (row.id, row.slug.as_str(), new.slug.as_str());
            $crate::db::changes::log_named_update(
                conn,
                $crate::db::changes::Resource::$kind,
                slugs,
                new.version,
                fields,
                actor,
            )?;
            Ok(updated)
        }

        /// Deletes the one at `slug`, logged as `actor`'s; its links to articles go with it.
        pub fn delete(
            conn: &mut $crate::db::AnyConnection,
            slug: &str,
            actor: &str,
        ) -> $crate::error::ApiResult<()> {
            let row = find(conn, slug)?;
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
}

pub(crate) use counted_named_store;
