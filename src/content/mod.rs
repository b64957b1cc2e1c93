//! The ground floor: the domain's own types (what a change is, an article's
//! publication status, slugs and ids) and the text rules every layer shares
//! (Markdown, dates, languages, translated names, search analysis).

pub mod analysis;
pub mod blocks;
pub mod change;
pub mod dates;
pub mod embeds;
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
