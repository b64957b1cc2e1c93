//! Text handling shared by the API and the importers: slugs, Markdown, dates, languages.

pub mod dates;
pub mod fold;
pub mod language;
pub mod markdown;
pub mod slug;
