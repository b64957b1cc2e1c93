//! Links from one article to another (`article:ID` or `article:SLUG`) as
//! served: in blocks, with the target's id, slug and address; in `body_html`,
//! with its address, or with none when the target is not public (or the site
//! has no URL), so that the link's text stays and leads nowhere.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use crate::content::blocks::LinkedArticle;
use crate::content::markdown::ARTICLE_SCHEME;
use crate::db::articles::{Linked, Member};
use crate::site::{Placed, Site};

/// A public article's address on `site`; none without a site URL.
pub fn url_of(member: &Member, site: &Site) -> Option<String> {
    site.article_url(&Placed::new(
        &member.slug,
        &member.public_id,
        member.section.as_deref(),
        member.published_at,
        member.created_at,
    ))
}

/// The article `href` names, among those `linked`.
pub fn target(href: &str, linked: &[Linked], site: &Site) -> Option<LinkedArticle> {
    let name = href
        .strip_prefix(ARTICLE_SCHEME)?
        .strip_prefix(':')?
        .trim()
        .to_ascii_lowercase();
    let found = linked
        .iter()
        .find(|l| l.article.public_id == name || l.article.slug.eq_ignore_ascii_case(&name))?;
    Some(LinkedArticle {
        id: found.article.public_id.clone(),
        slug: found.article.slug.clone(),
        url: url_of(&found.article, site),
    })
}

/// `href="article:…"` as the sanitiser leaves it in a stored `body_html`.
static ARTICLE_HREF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#" href="(article:\s*[0-9A-Za-z-]{1,200}\s*)""#)
        .expect("ARTICLE_HREF is a valid regular expression")
});

/// Gives a stored `body_html` the addresses of the articles it links to.
pub fn expand_html(html: &str, linked: &[Linked], site: &Site) -> String {
    if !html.contains("=\"article:") {
        return html.to_owned();
    }
    ARTICLE_HREF
        .replace_all(html, |caps: &Captures| {
            match target(&caps[1], linked, site).and_then(|t| t.url) {
                Some(url) => format!(
                    " href=\"{}\"",
                    url.replace('&', "&amp;").replace('"', "&quot;")
                ),
                None => String::new(),
            }
        })
        .into_owned()
}
