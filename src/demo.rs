//! `serve --demo`: a few French and English articles, loaded into an empty database
//! through the importer, so a first `curl` shows real content.

use indicatif::ProgressBar;

use crate::api::articles::ArticleStatus;
use crate::api::assets::upload::Description;
use crate::assets::probe::probe;
use crate::assets::store::original_key;
use crate::assets::AssetStore;
use crate::config::Config;
use crate::content::names::{NameTranslation, NameTranslationEdits};
use crate::db::{self, articles, authors, sections, Database};
use crate::import::{self, Options, Summary};

macro_rules! demo_file {
    ($name:literal) => {
        (
            concat!("demo/", $name),
            include_str!(concat!("../demo/", $name)),
        )
    };
}

/// The public site the demo's articles link to when `FOLIO_SITE_URL` names none
/// (a domain reserved for examples), so that its permalinks, feeds and sitemaps
/// work at once.
pub const SITE_URL: &str = "https://news.example";

const DOCUMENTS: &[(&str, &str)] = &[
    demo_file!("01-poutine-au-kazakhstan.txt"),
    demo_file!("02-le-gaz-d-asie-centrale.md"),
    demo_file!("03-la-saison-des-festivals.md"),
    demo_file!("04-nuclear-power-comeback.md"),
    demo_file!("05-city-council-budget.txt"),
    demo_file!("06-science-ocean-heat.json"),
];

/// How the change log names what the demo loader writes.
const DEMO_ACTOR: &str = "folio demo";

/// slug, name, parent, description, language of the name and description
const SECTIONS: &[(&str, &str, Option<&str>, &str, &str)] = &[
    ("monde", "Monde", None, "L’actualité internationale.", "fr"),
    (
        "asie",
        "Asie",
        Some("monde"),
        "L’Asie, de la Caspienne au Pacifique.",
        "fr",
    ),
    (
        "entrevue",
        "Entrevue",
        None,
        "Rencontres et grands entretiens.",
        "fr",
    ),
    (
        "culture",
        "Culture",
        None,
        "Scènes, écrans et livres.",
        "fr",
    ),
    (
        "science",
        "Science",
        None,
        "Research and discoveries.",
        "en",
    ),
    ("local", "Local", None, "City and county news.", "en"),
];

/// Each section's name and description in the other language: slug, language, name, description.
const SECTION_TRANSLATIONS: &[(&str, &str, &str, &str)] = &[
    ("monde", "en", "World", "International news."),
    (
        "asie",
        "en",
        "Asia",
        "Asia, from the Caspian to the Pacific.",
    ),
    (
        "entrevue",
        "en",
        "Interview",
        "Meetings and long conversations.",
    ),
    ("culture", "en", "Culture", "Stage, screen and books."),
    ("science", "fr", "Sciences", "Recherches et découvertes."),
    ("local", "fr", "Local", "La ville et le comté."),
];

/// The translations of the section `slug`, as a create takes them.
fn section_translations(slug: &str) -> NameTranslationEdits {
    SECTION_TRANSLATIONS
        .iter()
        .filter(|(section, ..)| *section == slug)
        .map(|(_, language, name, description)| {
            let texts = NameTranslation {
                name: Some((*name).into()),
                description: Some((*description).into()),
                bio: None,
            };
            ((*language).into(), Some(texts))
        })
        .collect()
}

/// slug, name, description, bio
const AUTHORS: &[(&str, &str, &str, &str)] = &[
    (
        "claire-dubois",
        "Claire Dubois",
        "Correspondante en Asie centrale",
        "Claire Dubois couvre l’Asie centrale depuis Almaty.",
    ),
    (
        "julien-martin",
        "Julien Martin",
        "Journaliste culture",
        "Julien Martin suit les festivals et la musique live.",
    ),
    (
        "sam-patel",
        "Sam Patel",
        "Energy and climate reporter",
        "Sam Patel writes about energy, climate and the economics of both.",
    ),
];

/// Loads the demo content when the database holds no article; `None` when it already had some.
pub fn load(db: &Database, config: &Config) -> Result<Option<Summary>, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    if articles::count_all(&mut conn).map_err(|e| e.to_string())? > 0 {
        return Ok(None);
    }
    db::write_tx(&mut conn, |conn| {
        for (slug, name, parent, description, language) in SECTIONS {
            if sections::find_row(conn, slug).is_ok() {
                continue;
            }
            sections::create(
                conn,
                sections::NewSection {
                    slug: Some((*slug).into()),
                    name: (*name).into(),
                    description: (*description).into(),
                    parent: parent.map(Into::into),
                    position: 0,
                    translations: section_translations(slug),
                    language: Some((*language).into()),
                },
                DEMO_ACTOR,
            )?;
        }
        for (slug, name, description, bio) in AUTHORS {
            if authors::find_row(conn, slug).is_ok() {
                continue;
            }
            authors::create(
                conn,
                authors::NewAuthor {
                    slug: Some((*slug).into()),
                    name: (*name).into(),
                    description: (*description).into(),
                    bio: (*bio).into(),
                    email: None,
                    avatar_url: None,
                    translations: NameTranslationEdits::new(),
                    language: None,
                },
                DEMO_ACTOR,
            )?;
        }
        Ok(())
    })
    .map_err(|e| format!("could not create the demo sections and authors: {e}"))?;
    drop(conn);
    let options = Options {
        status: Some(ArticleStatus::Published),
        section: None,
        dry_run: false,
        timezone: config.timezone,
        limits: config.limits.clone(),
    };
    let documents = DOCUMENTS.iter().map(|(name, text)| {
        Ok(import::Document {
            name: (*name).to_owned(),
            source: (*name).to_owned(),
            content: Box::new(text.as_bytes()),
        })
    });
    let summary = import::import_documents(db, documents, &options, &ProgressBar::hidden());
    cover(db, config)?;
    Ok(Some(summary))
}

/// The id the spec's examples name: the demo's one picture.
pub const DEMO_ASSET_ID: &str = "5d1c0f7e-8a61-4c53-9a0e-3f8d2b7c9e41";
/// The article it is the cover of.
const COVERED: &str = "poutine-au-kazakhstan-une-alliance-strategique";

/// A steppe at dusk under a low sun, drawn here: the demo ships no image file.
fn steppe(width: u32, height: u32) -> Result<Vec<u8>, String> {
    let (sun_x, sun_y, radius) = (
        width as f32 * 0.7,
        height as f32 * 0.55,
        height as f32 * 0.09,
    );
    let horizon = height as f32 * 0.62;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let (x, y) = (x as f32, y as f32);
        if ((x - sun_x).powi(2) + (y - sun_y).powi(2)).sqrt() < radius && y < horizon {
            return image::Rgb([255, 214, 140]);
        }
        if y < horizon {
            let t = y / horizon;
            image::Rgb([
                (40.0 + 200.0 * t) as u8,
                (60.0 + 90.0 * t) as u8,
                (120.0 - 40.0 * t) as u8,
            ])
        } else {
            let t = (y - horizon) / (height as f32 - horizon);
            let ripple = ((x / 37.0).sin() * 8.0) as i32;
            let shade = |v: f32| (v as i32 + ripple).clamp(0, 255) as u8;
            image::Rgb([
                shade(120.0 - 70.0 * t),
                shade(100.0 - 50.0 * t),
                shade(50.0 - 20.0 * t),
            ])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(picture)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .map_err(|e| format!("could not draw the demo picture: {e}"))?;
    Ok(out.into_inner())
}

/// Uploads the demo picture and makes it the cover of the first article.
fn cover(db: &Database, config: &Config) -> Result<(), String> {
    let bytes = steppe(1600, 1000)?;
    let probed =
        probe(&bytes, Some("image/jpeg"), config.assets.max_pixels).map_err(|e| e.to_string())?;
    let description = Description {
        alt: Some("Le soleil bas sur la steppe kazakhe".into()),
        caption: Some("La steppe près d’Astana, au crépuscule.".into()),
        credit: Some("Folio".into()),
        focal_x: Some(0.7),
        focal_y: Some(0.55),
        ..Description::default()
    };
    let new = description.into_new_asset(DEMO_ASSET_ID.into(), &bytes, probed, Some("steppe.jpg"));
    let store = AssetStore::open(&config.assets.store)?;
    actix_rt::System::new()
        .block_on(store.put(&original_key(DEMO_ASSET_ID), bytes.into()))
        .map_err(|e| e.to_string())?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    db::write_tx(&mut conn, |conn| {
        db::assets::create(conn, new, DEMO_ACTOR)?;
        let changes = articles::ArticleChanges {
            cover: Some(Some(DEMO_ASSET_ID.into())),
            ..articles::ArticleChanges::default()
        };
        articles::update(conn, COVERED, changes, DEMO_ACTOR).map(|_| ())
    })
    .map_err(|e| format!("could not give the demo article its cover: {e}"))
}
