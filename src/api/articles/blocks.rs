//! An article's blocks as served: the stored JSON as it is, or, when the body
//! shows pictures from the library or links to other articles, with each
//! picture's media (its sizes and their addresses, caption, credit and
//! placeholder, as a cover shows them) and each link's article.

use serde_json::value::RawValue;

use super::links;
use crate::api::assets::views::Asset;
use crate::content::blocks::{self, Block, Inline};
use crate::db::articles::Linked;
use crate::db::assets::AssetRow;
use crate::site::Site;

/// What a body's blocks point to, as the read found it.
pub struct Targets<'a> {
    /// The assets the body names.
    pub assets: &'a [AssetRow],
    /// The public articles it links to.
    pub linked: &'a [Linked],
}

/// The blocks to serve from those stored (`stored`) and the body they were
/// worked out from.
pub fn served(stored: &str, body: &str, targets: &Targets<'_>, site: &Site) -> Box<RawValue> {
    // A row written before blocks were, not yet worked out (see `db::articles::rederive`).
    let derived;
    let stored = if stored.is_empty() {
        derived = serde_json::to_string(&blocks::from_markdown(body)).unwrap_or_default();
        derived.as_str()
    } else {
        stored
    };
    let shown = if targets.assets.is_empty() && targets.linked.is_empty() {
        None
    } else {
        serde_json::from_str::<Vec<Block>>(stored)
            .ok()
            .and_then(|mut tree| {
                enrich(&mut tree, targets, site);
                serde_json::to_string(&tree).ok()
            })
    };
    let json = shown.unwrap_or_else(|| stored.to_owned());
    // Stored blocks are written by this code: valid JSON; else none are shown.
    RawValue::from_string(json).unwrap_or_else(|_| empty_list())
}

fn empty_list() -> Box<RawValue> {
    RawValue::from_string("[]".to_owned()).unwrap_or_default()
}

/// Gives each image of `tree` that names an asset its media, and each link to
/// an article that article.
fn enrich(tree: &mut [Block], targets: &Targets<'_>, site: &Site) {
    for block in tree {
        match block {
            Block::Image(image) => {
                let row = image
                    .asset
                    .as_deref()
                    .and_then(|id| targets.assets.iter().find(|row| row.public_id == id));
                image.media =
                    row.and_then(|row| serde_json::to_value(Asset::new(row.clone(), site)).ok());
            }
            Block::Paragraph(p) => enrich_line(&mut p.content, targets, site),
            Block::Heading(h) => enrich_line(&mut h.content, targets, site),
            Block::Table(table) => {
                for cell in table
                    .header
                    .iter_mut()
                    .chain(table.rows.iter_mut().flatten())
                {
                    enrich_line(&mut cell.content, targets, site);
                }
            }
            Block::List(list) => {
                for item in &mut list.items {
                    enrich(&mut item.content, targets, site);
                }
            }
            Block::Quote(quote) => enrich(&mut quote.content, targets, site),
            Block::Embed(_) | Block::Code(_) | Block::Divider(_) => {}
        }
    }
}

fn enrich_line(content: &mut [Inline], targets: &Targets<'_>, site: &Site) {
    for inline in content {
        if let Inline::Link(link) = inline {
            link.article = links::target(&link.href, targets.linked, site);
        }
    }
}
