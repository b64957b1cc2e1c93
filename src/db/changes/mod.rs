//! The change log: every write appends one row per resource it changed, in the
//! write's own transaction, so a change and its record are kept or lost together.
//! Sequence numbers follow commit order (see `run_tx`): sync, webhooks and the
//! live stream read the log from where they left off.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::changes;
use super::shared_state::set_state;
use super::{now, AnyConnection};
use crate::error::{ApiError, ApiResult};

mod implied;

pub use implied::{
    articles_showing, changes_translations, log_shown_differently, other_versions, Shown,
};

/// The kinds of resource the log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Article,
    Section,
    Tag,
    Author,
}

impl Resource {
    pub const ALL: [Resource; 4] = [
        Resource::Section,
        Resource::Tag,
        Resource::Author,
        Resource::Article,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Article => "article",
            Resource::Section => "section",
            Resource::Tag => "tag",
            Resource::Author => "author",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What a change did to its resource, as readers of the log see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    /// It became public (by a write, or when its scheduled time came).
    Published,
    /// It stopped being public.
    Unpublished,
    /// It is set to become public at a later time.
    Scheduled,
    /// Moved to the trash.
    Deleted,
    /// Back from the trash.
    Restored,
    /// Gone for good.
    Purged,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Created,
        Action::Updated,
        Action::Published,
        Action::Unpublished,
        Action::Scheduled,
        Action::Deleted,
        Action::Restored,
        Action::Purged,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Published => "published",
            Action::Unpublished => "unpublished",
            Action::Scheduled => "scheduled",
            Action::Deleted => "deleted",
            Action::Restored => "restored",
            Action::Purged => "purged",
        }
    }
}

/// How an article stood before and after a write, for naming the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Public now.
    Public,
    /// Published with a publication time still to come.
    Scheduled,
    /// A draft or archived.
    Hidden,
}

impl Standing {
    pub fn of(status: &str, published_at: Option<NaiveDateTime>, at: NaiveDateTime) -> Self {
        match (status, published_at) {
            ("published", Some(t)) if t <= at => Standing::Public,
            ("published", Some(_)) => Standing::Scheduled,
            _ => Standing::Hidden,
        }
    }
}

/// The action a write of an article amounts to, from its standing before (`None`
/// for a new article) and after; a move of the publication time counts as a
/// schedule.
pub fn article_action(before: Option<Standing>, after: Standing, rescheduled: bool) -> Action {
    match (before, after) {
        (_, Standing::Scheduled) if before != Some(Standing::Scheduled) || rescheduled => {
            Action::Scheduled
        }
        (Some(Standing::Public), Standing::Public) => Action::Updated,
        (_, Standing::Public) => Action::Published,
        (Some(Standing::Public | Standing::Scheduled), Standing::Hidden) => Action::Unpublished,
        (None, _) => Action::Created,
        _ => Action::Updated,
    }
}

/// One change, as a write describes it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub resource: Resource,
    /// The resource's row id.
    pub resource_id: i32,
    /// An article's UUID, else the slug.
    pub public_id: &'a str,
    pub slug: &'a str,
    /// The slug before this change, when it changed.
    pub previous_slug: Option<&'a str>,
    pub version: i32,
    pub action: Action,
    pub actor: &'a str,
    /// The fields the change touched (none listed for a whole new resource).
    pub fields: Vec<String>,
    /// Where an article stood: its section's row id and its language.
    pub section_id: Option<i32>,
    pub language: Option<&'a str>,
    /// Made by a write to another resource (an article whose tag was renamed):
    /// readers see it, the audit log does not count it as a write.
    pub implied: bool,
    /// For an article that may have moved: the keys of the lists it was in before
    /// (`purge_keys::article_scope` read before the write), purged with the new ones.
    pub scope_before: Vec<String>,
}

impl<'a> Change<'a> {
    /// A change to a section, tag or author, whose public id is its slug.
    pub fn named(
        resource: Resource,
        (resource_id, slug, version): (i32, &'a str, i32),
        action: Action,
        actor: &'a str,
    ) -> Self {
        Self {
            resource,
            resource_id,
            public_id: slug,
            slug,
            previous_slug: None,
            version,
            action,
            actor,
            fields: Vec::new(),
            section_id: None,
            language: None,
            implied: false,
            scope_before: Vec::new(),
        }
    }
}

/// The names of the fields an edit sets, from `(name, whether it is set)` pairs.
pub fn fields_set(fields: &[(&str, bool)]) -> Vec<String> {
    fields
        .iter()
        .filter(|(_, set)| *set)
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

/// Logs the creation of a section, tag or author.
pub fn log_named_created(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, slug): (i32, &str),
    actor: &str,
) -> ApiResult<()> {
    append(
        conn,
        Change::named(resource, (id, slug, 1), Action::Created, actor),
    )?;
    Ok(())
}

/// Logs an edit of a section, tag or author that set `fields` and left it at
/// `new_slug` and `version`; when its name or slug changed, the articles that
/// show it changed too.
pub fn log_named_update(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, old_slug, new_slug): (i32, &str, &str),
    version: i32,
    fields: Vec<String>,
    actor: &str,
) -> ApiResult<()> {
    // An article shows its section's, tags' and authors' slugs and names, the
    // latter in its language.
    let shown_differently = fields
        .iter()
        .any(|f| ["slug", "name", "translations", "language"].contains(&f.as_str()));
    let mut change = Change::named(resource, (id, new_slug, version), Action::Updated, actor);
    change.previous_slug = (new_slug != old_slug).then_some(old_slug);
    change.fields = fields;
    append(conn, change)?;
    if shown_differently {
        articles_showing(conn, resource, id, actor)?;
    }
    Ok(())
}

/// Logs the deletion of a section, tag or author, and a change of every article
/// that showed it: call it before the row (and its links) go.
pub fn log_named_deleted(
    conn: &mut AnyConnection,
    resource: Resource,
    (id, slug, version): (i32, &str, i32),
    actor: &str,
) -> ApiResult<()> {
    articles_showing(conn, resource, id, actor)?;
    append(
        conn,
        Change::named(resource, (id, slug, version), Action::Deleted, actor),
    )?;
    Ok(())
}

/// One row of the log.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub resource: String,
    pub resource_id: i32,
    pub public_id: String,
    pub slug: String,
    pub previous_slug: Option<String>,
    pub version: i32,
    pub action: String,
    pub actor: String,
    pub changed_at: NaiveDateTime,
    pub fields: String,
    pub section_id: Option<i32>,
    pub language: Option<String>,
    pub implied: bool,
}

/// Appends a change inside the caller's write transaction; returns its number.
pub fn append(conn: &mut AnyConnection, change: Change<'_>) -> ApiResult<i64> {
    let fields = serde_json::to_string(&change.fields)
        .map_err(|e| ApiError::Internal(format!("cannot encode changed fields: {e}")))?;
    let purge_keys = super::purge_keys::of(conn, &change)?.to_header();
    Ok(diesel::insert_into(changes::table)
        .values((
            changes::resource.eq(change.resource.as_str()),
            changes::resource_id.eq(change.resource_id),
            changes::public_id.eq(change.public_id),
            changes::slug.eq(change.slug),
            changes::previous_slug.eq(change.previous_slug),
            changes::version.eq(change.version),
            changes::action.eq(change.action.as_str()),
            changes::actor.eq(change.actor),
            changes::changed_at.eq(now()),
            changes::fields.eq(fields),
            changes::section_id.eq(change.section_id),
            changes::language.eq(change.language),
            changes::implied.eq(change.implied),
            changes::purge_keys.eq(purge_keys),
        ))
        .returning(changes::seq)
        .get_result(conn)?)
}

/// The changes after `seq`, oldest first, at most `limit`.
pub fn after(conn: &mut AnyConnection, seq: i64, limit: i64) -> ApiResult<Vec<ChangeRow>> {
    Ok(changes::table
        .filter(changes::seq.gt(seq))
        .order(changes::seq)
        .limit(limit)
        .select(ChangeRow::as_select())
        .load(conn)?)
}

/// The newest change's number and time, if there is one.
pub fn newest(conn: &mut AnyConnection) -> ApiResult<Option<(i64, NaiveDateTime)>> {
    Ok(changes::table
        .order(changes::seq.desc())
        .select((changes::seq, changes::changed_at))
        .first(conn)
        .optional()?)
}

/// The number of the newest change (0 when there is none).
pub fn latest(conn: &mut AnyConnection) -> ApiResult<i64> {
    let newest: Option<i64> = changes::table
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    Ok(newest.unwrap_or(0))
}

/// The slugs a resource left behind in the changes after `seq`.
pub fn earlier_slugs(
    conn: &mut AnyConnection,
    resource: Resource,
    resource_id: i32,
    seq: i64,
) -> ApiResult<Vec<String>> {
    let previous: Vec<Option<String>> = changes::table
        .filter(changes::resource.eq(resource.as_str()))
        .filter(changes::resource_id.eq(resource_id))
        .filter(changes::seq.gt(seq))
        .select(changes::previous_slug)
        .load(conn)?;
    Ok(previous.into_iter().flatten().collect())
}

/// The name under which the log's trimming point is kept in `folio_state`.
const TRIMMED_THROUGH: &str = "changes_trimmed_through";

/// Ends sync and live-stream resumption for changes made before `sync_cutoff`:
/// readers further behind must start over (see `trimmed_through`). Rows go only
/// once no reader needs them: the audit log reads every write, so a write's row
/// stays until `audit_cutoff` (forever without one); a change implied by another
/// write goes with the sync cutoff. Returns how many rows went.
pub fn trim(
    conn: &mut AnyConnection,
    sync_cutoff: NaiveDateTime,
    audit_cutoff: Option<NaiveDateTime>,
) -> ApiResult<usize> {
    let through: Option<i64> = changes::table
        .filter(changes::changed_at.lt(sync_cutoff))
        .select(diesel::dsl::max(changes::seq))
        .first(conn)?;
    let Some(through) = through else {
        return Ok(0);
    };
    let mut deleted = diesel::delete(
        changes::table
            .filter(changes::seq.le(through))
            .filter(changes::implied.eq(true)),
    )
    .execute(conn)?;
    if let Some(audit_cutoff) = audit_cutoff {
        deleted += diesel::delete(
            changes::table
                .filter(changes::seq.le(through))
                .filter(changes::changed_at.lt(audit_cutoff)),
        )
        .execute(conn)?;
    }
    set_state(conn, TRIMMED_THROUGH, &through.to_string())?;
    Ok(deleted)
}

/// The number of the last change trimmed from the log (0 when none was).
pub fn trimmed_through(conn: &mut AnyConnection) -> ApiResult<i64> {
    Ok(super::shared_state::get(conn, TRIMMED_THROUGH)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::{article_action, Action, Standing::*};

    #[test]
    fn article_changes_are_named_by_what_readers_see() {
        assert_eq!(article_action(None, Hidden, false), Action::Created);
        assert_eq!(article_action(None, Public, false), Action::Published);
        assert_eq!(article_action(None, Scheduled, false), Action::Scheduled);
        assert_eq!(article_action(Some(Hidden), Hidden, false), Action::Updated);
        assert_eq!(
            article_action(Some(Hidden), Public, false),
            Action::Published
        );
        assert_eq!(article_action(Some(Public), Public, false), Action::Updated);
        assert_eq!(
            article_action(Some(Public), Hidden, false),
            Action::Unpublished
        );
        assert_eq!(
            article_action(Some(Public), Scheduled, true),
            Action::Scheduled
        );
        assert_eq!(
            article_action(Some(Scheduled), Scheduled, false),
            Action::Updated
        );
        assert_eq!(
            article_action(Some(Scheduled), Scheduled, true),
            Action::Scheduled
        );
        assert_eq!(
            article_action(Some(Scheduled), Hidden, false),
            Action::Unpublished
        );
        assert_eq!(
            article_action(Some(Scheduled), Public, false),
            Action::Published
        );
    }
}
