//! Full-text search: language-aware matching, ranking, highlights, and the same answers on both backends.

use crate::common;

use common::{slugs, urlencode, TestApp, TestDb};
use serde_json::json;

fn search(app: &TestApp, q: &str) -> Vec<String> {
    let url = format!("/v1/articles?per_page=100&q={}", urlencode(q));
    let mut found = slugs(&app.get(&url).expect(200).json());
    found.sort();
    found
}

fn publish(app: &TestApp, slug: &str, title: &str, body: &str, language: &str) {
    app.article(json!({
        "slug": slug, "title": title, "body": body, "language": language,
        "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
}

fn newsroom(app: &TestApp) {
    publish(app, "centrale", "Le Kazakhstan et sa centrale", "La centrale nucléaire sera construite au bord du lac Balkhach. Le cœur du réacteur viendra de Russie.", "fr");
    publish(
        app,
        "energie",
        "Politiques énergétiques",
        "Une politique énergétique commune pour l’Ukraine et ses voisins.",
        "fr",
    );
    publish(
        app,
        "tokaiev",
        "Kassym-Jomart Tokaïev à Moscou",
        "Le président kazakh a rencontré son homologue pour parler d'alliance stratégique.",
        "fr",
    );
    publish(
        app,
        "chine",
        "La Chine et l’Asie centrale",
        "Pékin investit dans les routes et les centrales solaires de la région.",
        "fr",
    );
    publish(
        app,
        "elections",
        "Elections in Kazakhstan",
        "Voters elected a new parliament; the election was calm.",
        "en",
    );
    publish(
        app,
        "power",
        "Nuclear power plants",
        "The nuclear plant will use a Russian reactor. Its heart is the core.",
        "en",
    );
}

fn stems_and_folds_french(app: &TestApp) {
    newsroom(app);
    assert_eq!(search(app, "centrales"), vec!["centrale", "chine"]);
    assert_eq!(search(app, "énergétiques"), vec!["energie"]);
    assert_eq!(search(app, "energetique"), vec!["energie"]);
    assert_eq!(search(app, "coeur"), vec!["centrale"]);
    assert_eq!(search(app, "CŒUR"), vec!["centrale"]);
    assert_eq!(search(app, "nucleaire"), vec!["centrale"]);
    assert_eq!(search(app, "Tokaiev"), vec!["tokaiev"]);
}

fn apostrophes_and_elisions(app: &TestApp) {
    newsroom(app);
    for q in ["l'Ukraine", "l’Ukraine", "Ukraine", "ukraine"] {
        assert_eq!(search(app, q), vec!["energie"], "{q}");
    }
    assert_eq!(search(app, "d’alliance"), vec!["tokaiev"]);
}

fn phrases_exclusions_and_prefixes(app: &TestApp) {
    newsroom(app);
    assert_eq!(search(app, "\"alliance stratégique\""), vec!["tokaiev"]);
    assert_eq!(
        search(app, "«\u{a0}alliance stratégique\u{a0}»"),
        vec!["tokaiev"]
    );
    assert_eq!(
        search(app, "\"stratégique alliance\""),
        Vec::<String>::new()
    );
    assert_eq!(search(app, "centrales -chine"), vec!["centrale"]);
    assert_eq!(
        search(app, "kazakh*"),
        vec!["centrale", "elections", "tokaiev"]
    );
    assert_eq!(search(app, "nuclear reactor"), vec!["power"]);
}

fn english_stemming(app: &TestApp) {
    newsroom(app);
    assert_eq!(search(app, "election"), vec!["elections"]);
    assert_eq!(search(app, "elections"), vec!["elections"]);
    assert_eq!(search(app, "plant"), vec!["power"]);
}

fn ranking_prefers_titles_and_highlights_matches(app: &TestApp) {
    publish(
        app,
        "in-body",
        "Un autre sujet",
        "Il est question du \"gaz\" & du pétrole, et encore du gaz.",
        "fr",
    );
    publish(
        app,
        "in-title",
        "Le gaz d’Asie centrale",
        "Un texte sans rapport.",
        "fr",
    );
    let list = app.get("/v1/articles?q=gaz").expect(200).json();
    assert_eq!(
        slugs(&list),
        vec!["in-title", "in-body"],
        "a title match ranks first"
    );
    let body_hit = list["data"][1]["highlight"].as_str().unwrap();
    assert_eq!(
        body_hit,
        "Il est question du &quot;<mark>gaz</mark>&quot; &amp; du pétrole, et encore du <mark>gaz</mark>."
    );
    assert_eq!(
        list["data"][0]["highlight"],
        "Le <mark>gaz</mark> d’Asie centrale"
    );
    let by_date = app
        .get("/v1/articles?q=gaz&sort=-published_at")
        .expect(200)
        .json();
    assert_eq!(by_date["data"].as_array().unwrap().len(), 2);
    assert!(app.get("/v1/articles").json()["data"][0]
        .get("highlight")
        .is_none());
}

fn index_follows_every_write(app: &TestApp) {
    publish(app, "vivant", "Titre", "Le mot ancien est ici.", "fr");
    assert_eq!(search(app, "ancien"), vec!["vivant"]);
    app.patch(
        "/v1/articles/vivant",
        json!({"body": "Le mot nouveau le remplace."}),
    )
    .expect(200);
    assert!(search(app, "ancien").is_empty());
    assert_eq!(search(app, "nouveau"), vec!["vivant"]);
    app.patch(
        "/v1/articles/vivant",
        json!({"title": "Renommé", "standfirst": "Un chapeau"}),
    )
    .expect(200);
    assert_eq!(search(app, "renomme chapeau"), vec!["vivant"]);
    app.delete("/v1/articles/vivant").expect(204);
    assert!(search(app, "nouveau").is_empty());
}

fn search_combines_with_filters_and_pages(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    for i in 0..5 {
        app.article(json!({"slug": format!("monde-{i}"), "title": format!("Gaz {i}"), "body": "Le gaz.", "section": "monde",
            "status": "published", "published_at": format!("2024-11-0{}T00:00:00Z", i + 1)}));
    }
    publish(app, "ailleurs", "Gaz ailleurs", "Le gaz.", "fr");
    assert_eq!(search(app, "gaz").len(), 6);
    let filtered = app
        .get("/v1/articles?q=gaz&section=monde&include_total=true")
        .expect(200)
        .json();
    assert_eq!(filtered["total"], 5);
    let mut seen = Vec::new();
    let mut url = "/v1/articles?q=gaz&per_page=2".to_owned();
    loop {
        let page = app.get(&url).expect(200).json();
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/articles?q=gaz&per_page=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 6);
}

/// More matches than the index's first round returns: a narrow filter and a long
/// run of tied scores both need later rounds, and paging stays exact.
fn ranking_goes_past_the_first_round(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Asie"}))
        .expect(201);
    // 125 articles with the same text score the same: newest first among them.
    for i in 0..125 {
        app.article(json!({"slug": format!("pareil-{i:03}"), "title": "Gazoduc", "body": "Le gazoduc.",
            "language": "fr", "status": "published",
            "published_at": format!("2024-{:02}-{:02}T{:02}:00:00Z", 1 + i / 28, 1 + i % 28, i % 24)}));
    }
    // Five more mention the word once, in a long body: they score lowest.
    let filler = "Un texte sur autre chose. ".repeat(40);
    for i in 0..5 {
        app.article(
            json!({"slug": format!("asie-{i}"), "title": format!("Chronique {i}"),
            "body": format!("{filler} Un gazoduc."), "section": "asie", "language": "fr",
            "status": "published", "published_at": format!("2023-01-0{}T00:00:00Z", i + 1)}),
        );
    }
    let narrow = app
        .get("/v1/articles?q=gazoduc&section=asie&include_total=true")
        .expect(200)
        .json();
    assert_eq!(
        slugs(&narrow),
        vec!["asie-4", "asie-3", "asie-2", "asie-1", "asie-0"]
    );
    assert_eq!(narrow["total"], 5);

    let mut seen = Vec::new();
    let mut url = "/v1/articles?q=gazoduc&per_page=20".to_owned();
    loop {
        let page = app.get(&url).expect(200).json();
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("/v1/articles?q=gazoduc&per_page=20&cursor={cursor}"),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..125).rev().map(|i| format!("pareil-{i:03}")).collect();
    expected.extend((0..5).rev().map(|i| format!("asie-{i}")));
    assert_eq!(seen, expected);
}

fn unusable_queries_are_400(app: &TestApp) {
    for (q, why) in [
        ("%21%21%21", "no word"),
        ("-chine", "only excludes"),
        (&"mot%20".repeat(30), "more than"),
        (&"a".repeat(501), "longer than"),
    ] {
        let problem = app.get(&format!("/v1/articles?q={q}")).expect(400).json();
        assert!(
            problem["detail"].as_str().unwrap().contains(why),
            "{problem}"
        );
    }
    app.get("/v1/articles?sort=relevance").expect(400);
}

fn words_written_before_the_index_are_found(app: &TestApp) {
    use folio::db::{commit, search_index};
    publish(
        app,
        "ancien",
        "Article ancien",
        "Un texte d’archives.",
        "fr",
    );
    let mut conn = app.db.get().unwrap();
    search_index::clear(&mut conn).unwrap();
    assert!(search(app, "archives").is_empty());
    assert_eq!(commit::index_missing(&mut conn).unwrap(), 1);
    assert_eq!(search(app, "archives"), vec!["ancien"]);
    assert_eq!(commit::index_missing(&mut conn).unwrap(), 0);
}

/// Too short to tell its language: indexed unstemmed, and still found.
fn undetermined_language_is_searchable(app: &TestApp) {
    let created = app.article(json!({
        "slug": "breve", "title": "Brève", "body": "Centrales d’origine.",
        "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
    assert_eq!(created["language"], "und");
    for q in ["breve", "centrales", "origine", "d'origine"] {
        assert_eq!(search(app, q), ["breve"], "{q}");
    }
}

on_both_backends!(
    undetermined_language_is_searchable,
    stems_and_folds_french,
    apostrophes_and_elisions,
    phrases_exclusions_and_prefixes,
    english_stemming,
    ranking_prefers_titles_and_highlights_matches,
    index_follows_every_write,
    search_combines_with_filters_and_pages,
    ranking_goes_past_the_first_round,
    unusable_queries_are_400,
    words_written_before_the_index_are_found,
);

const FR_SUBJECTS: &[&str] = &[
    "Le gouvernement kazakh",
    "La compagnie d’électricité",
    "Le maire d’Astana",
    "L’opposition",
    "Les agriculteurs",
    "La banque centrale",
    "Les étudiants",
];
const FR_ACTIONS: &[&str] = &[
    "annonce la construction d’une centrale nucléaire",
    "s’inquiète des prix de l’énergie",
    "négocie une alliance stratégique avec Moscou",
    "défend les politiques énergétiques régionales",
    "manifeste contre la hausse des tarifs",
    "présente un plan pour le cœur de la ville",
    "réclame des élections anticipées",
];
const FR_PLACES: &[&str] = &[
    "près du lac Balkhach.",
    "à la frontière de la Chine.",
    "devant le parlement.",
    "malgré l’hiver.",
    "avec l’Ukraine en toile de fond.",
];
const EN_SUBJECTS: &[&str] = &[
    "The government",
    "The power company",
    "Farmers",
    "The central bank",
    "Students",
    "The opposition party",
    "Regional leaders",
];
const EN_ACTIONS: &[&str] = &[
    "announced new nuclear plants",
    "worried about energy prices",
    "negotiated a strategic alliance with Beijing",
    "defended regional energy policies",
    "protested against higher tariffs",
    "called for early elections",
    "opened talks on gas pipelines",
];
const EN_PLACES: &[&str] = &[
    "near Lake Balkhash.",
    "on the Chinese border.",
    "in front of parliament.",
    "despite the winter.",
    "while Ukraine watched closely.",
];

/// A shared corpus written for the tests: 56 short French and English articles.
fn corpus(app: &TestApp) {
    for i in 0..28 {
        let sentence = |subjects: &[&str], actions: &[&str], places: &[&str], k: usize| {
            format!(
                "{} {} {}",
                subjects[(i + k) % subjects.len()],
                actions[(i * 3 + k) % actions.len()],
                places[(i * 2 + k) % places.len()]
            )
        };
        let fr_body = format!(
            "{}\n\n{}",
            sentence(FR_SUBJECTS, FR_ACTIONS, FR_PLACES, 0),
            sentence(FR_SUBJECTS, FR_ACTIONS, FR_PLACES, 2)
        );
        let en_body = format!(
            "{}\n\n{}",
            sentence(EN_SUBJECTS, EN_ACTIONS, EN_PLACES, 0),
            sentence(EN_SUBJECTS, EN_ACTIONS, EN_PLACES, 3)
        );
        publish(
            app,
            &format!("fr-{i}"),
            FR_ACTIONS[i % FR_ACTIONS.len()],
            &fr_body,
            "fr",
        );
        publish(
            app,
            &format!("en-{i}"),
            EN_ACTIONS[i % EN_ACTIONS.len()],
            &en_body,
            "en",
        );
    }
}

const CORPUS_QUERIES: &[&str] = &[
    "centrales",
    "centrale nucléaire",
    "nucleaire",
    "coeur",
    "énergétiques",
    "energie",
    "l'Ukraine",
    "Ukraine",
    "\"alliance stratégique\"",
    "alliance -moscou",
    "élections",
    "elections",
    "election",
    "kazakh*",
    "balkh*",
    "energy prices",
    "\"strategic alliance\"",
    "plants",
    "nuclear -farmers",
    "pipeline",
    "tarifs",
    "hiver",
    "winter",
    "chine",
    "border",
    "parlement",
    "parliament -students",
];

/// The corpus answers every query with the same set of articles on SQLite and PostgreSQL.
#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn same_results_on_both_backends() {
    let postgres = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    let sqlite = TestApp::spawn(TestDb::sqlite());
    let postgres = TestApp::spawn(postgres);
    corpus(&sqlite);
    corpus(&postgres);
    let mut empty = Vec::new();
    for q in CORPUS_QUERIES {
        let (a, b) = (search(&sqlite, q), search(&postgres, q));
        assert_eq!(a, b, "{q:?} differs between SQLite and PostgreSQL");
        if a.is_empty() {
            empty.push(*q);
        }
    }
    assert!(
        empty.is_empty(),
        "every corpus query should find something: {empty:?}"
    );
}
