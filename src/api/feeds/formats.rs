//! The three feed formats, each written by its own crate or to its own published
//! rules: RSS 2.0 (`rss`), Atom 1.0 (`atom_syndication`), JSON Feed 1.1 (serde).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::api::articles::Article;

/// What every format shows of a feed.
pub struct FeedText<'a> {
    pub title: &'a str,
    /// The feed's own address (`self`).
    pub feed_url: &'a str,
    /// The site page the feed follows (`alternate`).
    pub home_url: &'a str,
    /// The newest change among what it shows: the feed's `updated`.
    pub updated: DateTime<Utc>,
    /// The language all its articles share, when they do.
    pub language: Option<&'a str>,
    /// Whole bodies, or excerpts only.
    pub full: bool,
    pub articles: &'a [Article],
}

/// Atom's and JSON Feed's entry id: stable whatever the slug or site becomes.
fn urn(article: &Article) -> String {
    format!("urn:uuid:{}", article.summary.id)
}

/// Where a reader opens the article: its permalink (every article in a feed has one,
/// since feeds need the site's address).
fn link(article: &Article) -> String {
    article.summary.url.clone().unwrap_or_default()
}

/// An article's categories: its section first, then its tags, by name.
fn categories(article: &Article) -> impl Iterator<Item = (&str, &str)> {
    let summary = &article.summary;
    summary
        .section
        .iter()
        .map(|s| ("section", s.name.as_str()))
        .chain(summary.tags.iter().map(|t| ("tag", t.name.as_str())))
}

/// The cover as a feed encloses it: the file as uploaded, with its type and length.
fn cover_file(article: &Article) -> Option<(&str, &str, i64)> {
    let cover = article.summary.cover.as_ref()?;
    Some((
        cover.url.as_str(),
        cover.media_type.as_str(),
        cover.byte_size,
    ))
}

/// An `alternate` link to a page of the site.
fn alternate(href: String) -> atom_syndication::Link {
    atom_syndication::Link {
        href,
        rel: "alternate".to_owned(),
        mime_type: Some("text/html".to_owned()),
        ..atom_syndication::Link::default()
    }
}

/// Every version of a translated story as an `alternate` link with its language
/// (RFC 4287's `hreflang`), the entry's own last: Atom entries carry them after
/// their plain `alternate`, RSS items in Atom's namespace after their `link`.
/// Readers take an entry's address from its first alternate link or from its
/// last (feedparser), so both must be the entry's own.
fn translation_links(article: &Article) -> Vec<atom_syndication::Link> {
    let summary = &article.summary;
    if summary.translations.is_empty() {
        return Vec::new();
    }
    let others = summary
        .translations
        .iter()
        .filter_map(|t| Some((t.language.clone(), t.url.clone()?)));
    others
        .chain(std::iter::once((summary.language.clone(), link(article))))
        .map(|(language, href)| atom_syndication::Link {
            hreflang: Some(language),
            ..alternate(href)
        })
        .collect()
}

fn published(article: &Article) -> DateTime<Utc> {
    article
        .summary
        .published_at
        .unwrap_or(article.summary.created_at)
}

pub fn rss(feed: &FeedText<'_>) -> Result<String, String> {
    use rss::extension::atom::AtomExtension;
    use rss::extension::dublincore::DublinCoreExtension;
    let items = feed
        .articles
        .iter()
        .map(|article| rss::Item {
            title: Some(article.summary.title.clone()),
            link: Some(link(article)),
            description: Some(article.summary.excerpt.clone()),
            content: feed.full.then(|| article.body_html.clone()),
            guid: Some(rss::Guid {
                value: article.summary.id.clone(),
                permalink: false,
            }),
            pub_date: Some(published(article).to_rfc2822()),
            enclosure: cover_file(article).map(|(url, mime_type, length)| rss::Enclosure {
                url: url.to_owned(),
                length: length.to_string(),
                mime_type: mime_type.to_owned(),
            }),
            categories: categories(article)
                .map(|(domain, name)| rss::Category {
                    name: name.to_owned(),
                    domain: Some(domain.to_owned()),
                })
                .collect(),
            // RSS's own `author` is an e-mail address; bylines are names. RSS
            // has no language per item: Dublin Core's names it.
            dublin_core_ext: Some(DublinCoreExtension {
                creators: article
                    .summary
                    .authors
                    .iter()
                    .map(|a| a.name.clone())
                    .collect(),
                languages: vec![article.summary.language.clone()],
                ..DublinCoreExtension::default()
            }),
            atom_ext: Some(translation_links(article))
                .filter(|links| !links.is_empty())
                .map(|links| AtomExtension { links }),
            ..rss::Item::default()
        })
        .collect();
    let channel = rss::Channel {
        title: feed.title.to_owned(),
        link: feed.home_url.to_owned(),
        description: feed.title.to_owned(),
        language: feed.language.map(str::to_owned),
        last_build_date: Some(feed.updated.to_rfc2822()),
        generator: Some("Folio".to_owned()),
        items,
        atom_ext: Some(AtomExtension {
            links: vec![atom_syndication::Link {
                href: feed.feed_url.to_owned(),
                rel: "self".to_owned(),
                mime_type: Some(crate::api::feed_links::RSS.to_owned()),
                ..atom_syndication::Link::default()
            }],
        }),
        ..rss::Channel::default()
    };
    let bytes = channel.write_to(Vec::new()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

pub fn atom(feed: &FeedText<'_>) -> Result<String, String> {
    use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text};
    let entries = feed
        .articles
        .iter()
        .map(|article| Entry {
            title: Text::plain(article.summary.title.clone()),
            id: urn(article),
            updated: article.summary.updated_at.fixed_offset(),
            published: Some(published(article).fixed_offset()),
            links: std::iter::once(alternate(link(article)))
                .chain(translation_links(article))
                .chain(cover_file(article).map(|(url, mime_type, length)| Link {
                    href: url.to_owned(),
                    rel: "enclosure".to_owned(),
                    mime_type: Some(mime_type.to_owned()),
                    length: Some(length.to_string()),
                    ..Link::default()
                }))
                .collect(),
            authors: article
                .summary
                .authors
                .iter()
                .map(|a| Person {
                    name: a.name.clone(),
                    ..Person::default()
                })
                .collect(),
            categories: categories(article)
                .map(|(scheme, name)| Category {
                    term: name.to_owned(),
                    scheme: Some(scheme.to_owned()),
                    label: Some(name.to_owned()),
                })
                .collect(),
            summary: Some(Text::plain(article.summary.excerpt.clone())),
            content: feed.full.then(|| Content {
                value: Some(article.body_html.clone()),
                content_type: Some("html".to_owned()),
                lang: Some(article.summary.language.clone()),
                ..Content::default()
            }),
            ..Entry::default()
        })
        .collect();
    let document = Feed {
        title: Text::plain(feed.title),
        id: feed.feed_url.to_owned(),
        updated: feed.updated.fixed_offset(),
        links: vec![
            Link {
                href: feed.feed_url.to_owned(),
                rel: "self".to_owned(),
                mime_type: Some(crate::api::feed_links::ATOM.to_owned()),
                ..Link::default()
            },
            alternate(feed.home_url.to_owned()),
        ],
        lang: feed.language.map(str::to_owned),
        generator: Some(atom_syndication::Generator {
            value: "Folio".to_owned(),
            ..atom_syndication::Generator::default()
        }),
        entries,
        ..Feed::default()
    };
    let bytes = document.write_to(Vec::new()).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>).
#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: String,
    url: String,
    title: &'a str,
    /// The cover, at the largest preset.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    // JSON Feed asks for content_html or content_text: the excerpt stands in.
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<&'a str>,
    summary: &'a str,
    date_published: DateTime<Utc>,
    date_modified: DateTime<Utc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    language: &'a str,
    /// The story's other versions (JSON Feed has no field for them: an extension).
    #[serde(rename = "_folio", skip_serializing_if = "Option::is_none")]
    folio: Option<JsonStory<'a>>,
}

/// The `_folio` extension of an item: the story it tells in other languages.
#[derive(Serialize)]
struct JsonStory<'a> {
    translation_group: &'a str,
    translations: Vec<JsonTranslation<'a>>,
}

#[derive(Serialize)]
struct JsonTranslation<'a> {
    language: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
}

pub fn json(feed: &FeedText<'_>) -> Result<String, String> {
    let items = feed
        .articles
        .iter()
        .map(|article| {
            let summary = &article.summary;
            JsonItem {
                id: urn(article),
                url: link(article),
                title: &summary.title,
                image: summary
                    .cover
                    .as_ref()
                    .and_then(|c| c.presets.get("large"))
                    .map(|r| r.url.as_str()),
                content_html: feed.full.then_some(article.body_html.as_str()),
                content_text: (!feed.full).then_some(summary.excerpt.as_str()),
                summary: &summary.excerpt,
                date_published: published(article),
                date_modified: summary.updated_at,
                authors: summary
                    .authors
                    .iter()
                    .map(|a| JsonAuthor { name: &a.name })
                    .collect(),
                tags: categories(article).map(|(_, name)| name).collect(),
                language: &summary.language,
                folio: (!summary.translations.is_empty()).then(|| JsonStory {
                    translation_group: &summary.translation_group,
                    translations: summary
                        .translations
                        .iter()
                        .filter_map(|t| {
                            Some(JsonTranslation {
                                language: &t.language,
                                url: t.url.as_deref()?,
                            })
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    serde_json::to_string(&JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: feed.title,
        home_page_url: feed.home_url,
        feed_url: feed.feed_url,
        language: feed.language,
        items,
    })
    .map_err(|e| e.to_string())
}
