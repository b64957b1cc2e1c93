//! Text handling shared by the API and the importers: slugs and ids, Markdown, dates,
//! languages and translated names.

pub mod analysis;
pub mod change;
pub mod dates;
pub mod fold;
pub mod highlight;
pub mod ids;
pub mod language;
pub mod markdown;
pub mod names;
pub mod publication;
pub mod search;
pub mod slug;
pub mod xml;
