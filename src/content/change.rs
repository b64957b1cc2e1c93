//! What a write changed, as the change log records it: the kind of resource, the
//! action, and the change itself. Sync, webhooks, the stream, purges and the audit
//! all read changes in these terms.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::publication::Standing;

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
