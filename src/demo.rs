//! `serve --demo`: a few French and English articles, loaded into an empty database
//! through the importer, so a first `curl` shows real content.

use indicatif::ProgressBar;

use crate::api::articles::ArticleStatus;
use crate::config::Config;
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

const DOCUMENTS: &[(&str, &str)] = &[
    demo_file!("01-poutine-au-kazakhstan.txt"),
    demo_file!("02-le-gaz-d-asie-centrale.md"),
    demo_file!("03-la-saison-des-festivals.md"),
    demo_file!("04-nuclear-power-comeback.md"),
    demo_file!("05-city-council-budget.txt"),
    demo_file!("06-science-ocean-heat.json"),
];

/// slug, name, parent, description
/// How the change log names what the demo loader writes.
const DEMO_ACTOR: &str = "folio demo";

const SECTIONS: &[(&str, &str, Option<&str>, &str)] = &[
    ("monde", "Monde", None, "L’actualité internationale."),
    (
        "asie",
        "Asie",
        Some("monde"),
        "L’Asie, de la Caspienne au Pacifique.",
    ),
    (
        "entrevue",
        "Entrevue",
        None,
        "Rencontres et grands entretiens.",
    ),
    ("culture", "Culture", None, "Scènes, écrans et livres."),
    ("science", "Science", None, "Research and discoveries."),
    ("local", "Local", None, "City and county news."),
];

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
        for (slug, name, parent, description) in SECTIONS {
            if sections::find(conn, slug).is_ok() {
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
                },
                DEMO_ACTOR,
            )?;
        }
        for (slug, name, description, bio) in AUTHORS {
            if authors::find(conn, slug).is_ok() {
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
    Ok(Some(import::import_documents(
        db,
        documents,
        &options,
        &ProgressBar::hidden(),
    )))
}
