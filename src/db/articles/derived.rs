//! What an article's body is worked out into when it is written (its HTML and
//! its blocks), and working them out again for rows the running code did not
//! write: when a server starts, before it says it is ready, the rows without
//! blocks (written before there were any), and every row when `FORMAT` is not
//! the one the database last saw.

use diesel::prelude::*;

use crate::content::{blocks, markdown};
use crate::db::schema::articles;
use crate::db::{shared_state, write_tx, AnyConnection};
use crate::error::ApiResult;

/// Names what `body` makes of a body. Change it when `markdown::render_html` or
/// `blocks::from_markdown` start making something else of the same Markdown
/// (a provider of embeds added, say): every article is then worked out again.
const FORMAT: &str = "2026-12-08.2";
/// The name under which the database keeps the format its rows were made in.
const FORMAT_STATE: &str = "derived_body_format";
/// Rows worked out again per transaction.
const BATCH: i64 = 200;

/// The columns worked out from a body.
pub(super) struct DerivedBody {
    pub body_html: String,
    /// JSON.
    pub blocks: String,
}

pub(super) fn body(markdown: &str) -> DerivedBody {
    DerivedBody {
        body_html: markdown::render_html(markdown),
        // Blocks hold strings, numbers and lists only: always serialisable.
        blocks: serde_json::to_string(&blocks::from_markdown(markdown))
            .unwrap_or_else(|_| "[]".to_owned()),
    }
}

/// Works out again the rows that need it; how many did.
pub fn rederive(conn: &mut AnyConnection) -> ApiResult<usize> {
    let everything = shared_state::get(conn, FORMAT_STATE)?.as_deref() != Some(FORMAT);
    let (mut after, mut done) = (0, 0);
    loop {
        let mut query = articles::table
            .filter(articles::id.gt(after))
            .order(articles::id)
            .select((articles::id, articles::body, articles::version))
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(articles::blocks.eq(""));
        }
        let rows: Vec<(i32, String, i32)> = query.load(conn)?;
        let Some(&(last, ..)) = rows.last() else {
            break;
        };
        done += write_tx(conn, |conn| {
            let mut written = 0;
            for (id, markdown, version) in &rows {
                let derived = body(markdown);
                // An edit since the read wrote its own (newer) derived columns.
                written += diesel::update(
                    articles::table
                        .find(id)
                        .filter(articles::version.eq(version)),
                )
                .set((
                    articles::body_html.eq(derived.body_html),
                    articles::blocks.eq(derived.blocks),
                ))
                .execute(conn)?;
            }
            Ok(written)
        })?;
        after = last;
    }
    if everything {
        // Nodes starting together all get here: writers take turns, so each one's
        // replacement of the value is whole.
        write_tx(conn, |conn| {
            shared_state::set_state(conn, FORMAT_STATE, FORMAT)
        })?;
    }
    Ok(done)
}
