//! An article's blocks as served: the stored JSON as it is, or, when the body
//! shows pictures from the library, with each one's media (its sizes and their
//! addresses, caption, credit and placeholder, as a cover shows them).

use serde_json::value::RawValue;

use crate::api::assets::views::Asset;
use crate::content::blocks::{self, Block};
use crate::db::assets::AssetRow;
use crate::site::Site;

/// The blocks to serve from those stored (`stored`), the body they were worked
/// out from, and the assets the body names.
pub fn served(stored: &str, body: &str, assets: &[AssetRow], site: &Site) -> Box<RawValue> {
    // A row written before blocks were, not yet worked out (see `db::articles::rederive`).
    let derived;
    let stored = if stored.is_empty() {
        derived = serde_json::to_string(&blocks::from_markdown(body)).unwrap_or_default();
        derived.as_str()
    } else {
        stored
    };
    let shown = if assets.is_empty() {
        None
    } else {
        serde_json::from_str::<Vec<Block>>(stored)
            .ok()
            .and_then(|mut tree| {
                with_media(&mut tree, assets, site);
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

/// Gives each image of `tree` that names an asset of `assets` that asset's media.
fn with_media(tree: &mut [Block], assets: &[AssetRow], site: &Site) {
    for block in tree {
        match block {
            Block::Image(image) => {
                let row = image
                    .asset
                    .as_deref()
                    .and_then(|id| assets.iter().find(|row| row.public_id == id));
                image.media =
                    row.and_then(|row| serde_json::to_value(Asset::new(row.clone(), site)).ok());
            }
            Block::List(list) => {
                for item in &mut list.items {
                    with_media(&mut item.content, assets, site);
                }
            }
            Block::Quote(quote) => with_media(&mut quote.content, assets, site),
            _ => {}
        }
    }
}
