//! An article's body as a tree of typed nodes, for clients that lay text out
//! natively (a Swift or Kotlin app) rather than in a web view: paragraphs,
//! headings, lists, quotes, images, embeds, tables, code and dividers, whose
//! text is a list of runs with marks and links. Worked out from the Markdown
//! body (`from_markdown`) and written back to it (`to_markdown`) when a client
//! sends blocks: the Markdown stays what is stored, and blocks → Markdown →
//! blocks is the identity for any tree in canonical form (see `canonical`).
//!
//! Text is kept byte for byte (no-break spaces, curly quotes, guillemets, emoji);
//! only whitespace a reader does not see is left out (a line break inside a
//! paragraph reads as a space).

mod canonical;
mod inline;
mod read;
mod write;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use canonical::canonical;
pub use read::{from_markdown, MAX_NESTING};
pub use write::{to_markdown, Unwritable};

/// One node of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph(Paragraph),
    Heading(Heading),
    List(List),
    Quote(Quote),
    Image(Image),
    Embed(Embed),
    Table(Table),
    Code(Code),
    Divider(Divider),
}

/// A paragraph of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Paragraph {
    pub content: Vec<Inline>,
}

/// A sub-heading; level 1 is the largest (the article's title is not one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Heading {
    #[schema(minimum = 1, maximum = 6)]
    pub level: u8,
    pub content: Vec<Inline>,
}

/// A bulleted or numbered list; each item holds blocks of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct List {
    pub ordered: bool,
    /// The number of the first item of a numbered list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    pub items: Vec<ListItem>,
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    #[schema(no_recursion)]
    pub content: Vec<Block>,
}

/// A quotation, with who said it when the body names them on a last line
/// that begins with a dash (`> — Victor Hugo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    #[schema(no_recursion)]
    pub content: Vec<Block>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

/// A picture standing on its own line: an asset of the library (`asset:ID`) or
/// an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Image {
    /// Where the body points: `asset:ID` or a URL.
    pub src: String,
    /// The asset's id when `src` names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// What the picture shows, for readers who cannot see it.
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The asset as a cover shows it (sizes and their addresses, caption,
    /// credit, placeholder), when `asset` names one of the library. Served,
    /// never written: what a client sends here is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = asset_schema)]
    pub media: Option<serde_json::Value>,
}

/// The spec's `Asset`, which the API layer defines and `media` holds: served only
/// (`readOnly`, so that request generators leave it out).
fn asset_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    served_only(utoipa::openapi::Ref::from_schema_name("Asset").into())
}

/// A link's `article`: a `LinkedArticle`, served only.
fn linked_article_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    served_only(utoipa::openapi::Ref::from_schema_name("LinkedArticle").into())
}

/// `schema` marked `readOnly` (JSON Schema's word for what a server writes and
/// a client does not), which a `$ref` cannot carry beside it in utoipa: an
/// `allOf` of the one schema does.
fn served_only(
    schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{AllOf, Schema};
    let mut all_of = AllOf::new();
    all_of.items.push(schema);
    let mut extensions = utoipa::openapi::extensions::Extensions::default();
    extensions.insert("readOnly".into(), serde_json::Value::Bool(true));
    all_of.extensions = Some(extensions);
    utoipa::openapi::RefOr::T(Schema::AllOf(all_of))
}

/// Content from another service, from a line that holds only its address
/// (see `embeds` for the providers known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Embed {
    /// The provider's name, such as `youtube` or `bluesky`.
    pub provider: String,
    pub url: String,
    /// The provider's own id of the item (a video id, a post id).
    pub id: String,
}

/// A table: a header row and body rows of cells of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// How each column is aligned.
    pub align: Vec<Alignment>,
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

/// Code or preformatted text, shown as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Code {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    pub text: String,
}

/// A break between parts of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Divider {}

/// A piece of text inside a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Inline {
    Text(Text),
    Link(Link),
    Image(InlineImage),
    /// A line break the text asks for.
    Break(Break),
}

/// A run of text with the same marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub text: String,
    /// In the order `strong`, `em`, `strike`, `code`; none when plain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Strong,
    Em,
    Strike,
    Code,
}

/// A link around runs of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
// `Link` is the service index's link in the spec.
#[schema(as = InlineLink)]
pub struct Link {
    /// An address, or `article:ID` (or `article:SLUG`) for another article.
    pub href: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Runs of text only, each with its `type` as elsewhere.
    #[serde(with = "typed_runs")]
    pub content: Vec<Text>,
    /// The article `href` names, when it names one readers can see. Served,
    /// never written: what a client sends here is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = linked_article_schema)]
    pub article: Option<LinkedArticle>,
}

/// Another article, as a link to it shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedArticle {
    #[schema(format = Uuid)]
    pub id: String,
    pub slug: String,
    /// Its address on the public site; null without a site URL.
    #[schema(required = true, format = "uri")]
    pub url: Option<String>,
}

/// A link's runs of text, each tagged `"type": "text"` as a run is anywhere
/// else, so that a run has one shape wherever it stands.
mod typed_runs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Text;

    #[derive(Serialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Run<'a> {
        Text(&'a Text),
    }

    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum OwnedRun {
        Text(Text),
    }

    pub fn serialize<S: Serializer>(runs: &[Text], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(runs.iter().map(Run::Text))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Text>, D::Error> {
        let runs = Vec::<OwnedRun>::deserialize(deserializer)?;
        Ok(runs
            .into_iter()
            .map(|run| match run {
                OwnedRun::Text(text) => text,
            })
            .collect())
    }
}

/// A picture inside a line of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InlineImage {
    pub src: String,
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A line break inside a block of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Break {}

impl Text {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            marks: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
