//! Media assets: their records, and which articles use them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit;
use super::changes::{self, Shown};
use super::schema::{article_assets, articles, assets};
use super::{now, AnyConnection, PageRequest};
use crate::db::commit;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = assets)]
pub struct AssetRow {
    pub id: i32,
    pub public_id: String,
    pub media_type: String,
    pub filename: String,
    pub byte_size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub placeholder: Option<String>,
    pub color: Option<String>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl AssetRow {
    pub fn is_image(&self) -> bool {
        self.width.is_some() && self.height.is_some()
    }

    pub fn focal(&self) -> (f64, f64) {
        (self.focal_x, self.focal_y)
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = assets)]
pub struct NewAsset {
    pub public_id: String,
    pub media_type: String,
    pub filename: String,
    pub byte_size: i64,
    pub sha256: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub placeholder: Option<String>,
    pub color: Option<String>,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
}

/// An edit of an asset's description; the file itself never changes.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = assets)]
pub struct AssetChanges {
    pub filename: Option<String>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
}

/// The assets an article uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleAssets {
    pub cover: Option<AssetRow>,
    /// Those its body names (`asset:ID`), in the order they first appear.
    pub body: Vec<AssetRow>,
}

const COVER: &str = "cover";
const BODY: &str = "body";

pub fn create(conn: &mut AnyConnection, new: NewAsset, actor: &str) -> ApiResult<AssetRow> {
    let t = now();
    diesel::insert_into(assets::table)
        .values((&new, assets::created_at.eq(t), assets::updated_at.eq(t)))
        .execute(conn)?;
    let row = find(conn, &new.public_id)?;
    logged(conn, &row, audit::Action::Created, actor)?;
    Ok(row)
}

/// Logs a write of `row` for the audit log and the purge of its cached copies.
fn logged(
    conn: &mut AnyConnection,
    row: &AssetRow,
    action: audit::Action,
    actor: &str,
) -> ApiResult<()> {
    audit::log_asset(conn, (row.id, &row.public_id, &row.filename), action, actor)
}

/// Newest first; `media_type` keeps those whose type starts with it (`image/`).
pub fn list(
    conn: &mut AnyConnection,
    page: PageRequest,
    media_type: Option<&str>,
) -> ApiResult<(Vec<AssetRow>, i64)> {
    let filtered = || {
        let mut query = assets::table.into_boxed();
        if let Some(prefix) = media_type {
            query = query.filter(assets::media_type.like(format!("{prefix}%")));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((assets::created_at.desc(), assets::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .select(AssetRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut AnyConnection, public_id: &str) -> ApiResult<AssetRow> {
    assets::table
        .filter(assets::public_id.eq(public_id))
        .select(AssetRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::NotFound(format!("there is no asset {public_id}")))
}

/// The articles that use an asset, as their implied changes name them.
fn users(conn: &mut AnyConnection, asset_id: i32) -> ApiResult<Vec<Shown>> {
    let mut shown: Vec<Shown> = articles::table
        .inner_join(article_assets::table)
        .filter(article_assets::asset_id.eq(asset_id))
        .select(Shown::as_select())
        .order(articles::id)
        .load(conn)?;
    shown.dedup_by_key(|s| s.id);
    Ok(shown)
}

/// How many articles use each of these assets.
pub fn usage(conn: &mut AnyConnection, asset_ids: &[i32]) -> ApiResult<HashMap<i32, i64>> {
    let pairs: Vec<(i32, i32)> = article_assets::table
        .filter(article_assets::asset_id.eq_any(asset_ids))
        .select((article_assets::asset_id, article_assets::article_id))
        .distinct()
        .load(conn)?;
    let mut counts = HashMap::new();
    for (asset, _) in pairs {
        *counts.entry(asset).or_insert(0) += 1;
    }
    Ok(counts)
}

/// Applies an edit. Articles that show the asset show it differently now
/// (its alt text, its crop): each gets an implied change, which purges caches
/// and tells sync clients and webhooks.
pub fn update(
    conn: &mut AnyConnection,
    public_id: &str,
    changes: AssetChanges,
    actor: &str,
) -> ApiResult<AssetRow> {
    let row = find(conn, public_id)?;
    diesel::update(assets::table.find(row.id))
        .set((
            &changes,
            assets::updated_at.eq(now()),
            assets::version.eq(commit::next_version(row.version)),
        ))
        .execute(conn)?;
    let shown = users(conn, row.id)?;
    changes::log_shown_differently(conn, &shown, "cover", actor)?;
    let updated = find(conn, public_id)?;
    logged(conn, &updated, audit::Action::Updated, actor)?;
    Ok(updated)
}

/// Deletes an asset's record. One in use is refused unless `force`, which
/// takes it off every article that used it (their body shows the alt text).
pub fn delete(
    conn: &mut AnyConnection,
    public_id: &str,
    force: bool,
    actor: &str,
) -> ApiResult<AssetRow> {
    let row = find(conn, public_id)?;
    let shown = users(conn, row.id)?;
    if !shown.is_empty() && !force {
        let slugs: Vec<&str> = shown.iter().take(10).map(|s| s.slug.as_str()).collect();
        return Err(ApiError::Conflict(format!(
            "asset {public_id} is used by {} article(s) ({}{}); take it off them first, \
             or delete with force=true",
            shown.len(),
            slugs.join(", "),
            if shown.len() > slugs.len() {
                ", …"
            } else {
                ""
            }
        )));
    }
    changes::log_shown_differently(conn, &shown, "cover", actor)?;
    logged(conn, &row, audit::Action::Deleted, actor)?;
    diesel::delete(assets::table.find(row.id)).execute(conn)?;
    Ok(row)
}

/// The ids of assets named by public id, in the order given. An unknown one is
/// an error naming `field`, or is left out when `lenient` (a restore brings an
/// article back without an asset deleted since).
pub fn ids_for(
    conn: &mut AnyConnection,
    public_ids: &[String],
    field: &str,
    lenient: bool,
) -> ApiResult<Vec<i32>> {
    if public_ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(i32, String)> = assets::table
        .filter(assets::public_id.eq_any(public_ids))
        .select((assets::id, assets::public_id))
        .load(conn)?;
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for wanted in public_ids {
        match found.iter().find(|(_, p)| p == wanted) {
            Some((id, _)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => missing.push(wanted.as_str()),
        }
    }
    if missing.is_empty() || lenient {
        Ok(ids)
    } else {
        Err(ApiError::unknown_reference(
            field,
            format!("no asset {}; upload it first", missing.join(", ")),
        ))
    }
}

/// Records which assets an article uses: `cover` (None leaves it as it is) and
/// those its body names.
pub fn link_article(
    conn: &mut AnyConnection,
    article_id: i32,
    cover: Option<Option<i32>>,
    body: &[i32],
) -> ApiResult<()> {
    let mine = article_assets::article_id.eq(article_id);
    if let Some(cover) = cover {
        diesel::delete(article_assets::table.filter(mine.and(article_assets::role.eq(COVER))))
            .execute(conn)?;
        if let Some(asset_id) = cover {
            insert_link(conn, article_id, asset_id, COVER, 0)?;
        }
    }
    diesel::delete(article_assets::table.filter(mine.and(article_assets::role.eq(BODY))))
        .execute(conn)?;
    for (position, asset_id) in body.iter().enumerate() {
        insert_link(conn, article_id, *asset_id, BODY, position as i32)?;
    }
    Ok(())
}

fn insert_link(
    conn: &mut AnyConnection,
    article_id: i32,
    asset_id: i32,
    role: &str,
    position: i32,
) -> ApiResult<()> {
    diesel::insert_into(article_assets::table)
        .values((
            article_assets::article_id.eq(article_id),
            article_assets::asset_id.eq(asset_id),
            article_assets::role.eq(role),
            article_assets::position.eq(position),
        ))
        .execute(conn)?;
    Ok(())
}

/// The assets each of these articles uses: one statement.
pub fn of_articles(
    conn: &mut AnyConnection,
    article_ids: &[i32],
) -> ApiResult<HashMap<i32, ArticleAssets>> {
    let mut found: HashMap<i32, ArticleAssets> = HashMap::new();
    if article_ids.is_empty() {
        return Ok(found);
    }
    let rows: Vec<(i32, String, AssetRow)> = article_assets::table
        .inner_join(assets::table)
        .filter(article_assets::article_id.eq_any(article_ids))
        .order((
            article_assets::article_id,
            article_assets::role,
            article_assets::position,
        ))
        .select((
            article_assets::article_id,
            article_assets::role,
            AssetRow::as_select(),
        ))
        .load(conn)?;
    for (article_id, role, asset) in rows {
        let used = found.entry(article_id).or_default();
        if role == COVER {
            used.cover = Some(asset);
        } else {
            used.body.push(asset);
        }
    }
    Ok(found)
}

/// Every asset's public id and digest: what an export's files are checked by.
pub fn files(conn: &mut AnyConnection) -> ApiResult<Vec<(String, String)>> {
    Ok(assets::table
        .order(assets::id)
        .select((assets::public_id, assets::sha256))
        .load(conn)?)
}
