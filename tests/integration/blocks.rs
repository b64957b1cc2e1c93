//! Bodies as blocks: worked out at write, served where articles are, written by
//! clients instead of Markdown, and worked out again for rows that lack them.

use crate::assets::{jpeg, uploaded};
use crate::common::TestApp;
use serde_json::{json, Value};

const BODY: &str = "Le président est arrivé à Astana\u{a0}: « Nous sommes des alliés naturels », a-t-il dit. 🇰🇿\n\n\
## Le nucléaire au centre du jeu\n\n\
Le pays, **premier producteur** d’uranium, voit *le cœur* du [dossier](https://news.example/energie).\n\n\
> Le Kazakhstan ne choisit pas, il additionne.\n>\n> — Un diplomate européen\n\n\
1. l’énergie\n2. les corridors\n\n\
https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n\
| Pays | Uranium |\n|:---|---:|\n| Kazakhstan | 43 % |\n\n\
```text\nt = 1992\n```\n\n\
---";

fn types(blocks: &Value) -> Vec<&str> {
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["type"].as_str())
        .collect()
}

fn every_kind_of_block_is_served(app: &TestApp) {
    let article = app.article(json!({
        "slug": "alliance", "title": "Poutine au Kazakhstan", "body": BODY,
        "status": "published", "published_at": "2024-11-27T09:00:00Z"
    }));
    let blocks = &article["blocks"];
    assert_eq!(
        types(blocks),
        [
            "paragraph",
            "heading",
            "paragraph",
            "quote",
            "list",
            "embed",
            "table",
            "code",
            "divider"
        ]
    );
    // Text byte for byte: no-break space, guillemets, curly apostrophe, emoji.
    assert_eq!(
        blocks[0]["content"][0]["text"],
        "Le président est arrivé à Astana\u{a0}: « Nous sommes des alliés naturels », a-t-il dit. 🇰🇿"
    );
    assert_eq!(
        blocks[1],
        json!({"type": "heading", "level": 2, "content": [{"type": "text", "text": "Le nucléaire au centre du jeu"}]})
    );
    assert_eq!(
        blocks[2]["content"],
        json!([
            {"type": "text", "text": "Le pays, "},
            {"type": "text", "text": "premier producteur", "marks": ["strong"]},
            {"type": "text", "text": " d’uranium, voit "},
            {"type": "text", "text": "le cœur", "marks": ["em"]},
            {"type": "text", "text": " du "},
            {"type": "link", "href": "https://news.example/energie", "content": [{"type": "text", "text": "dossier"}]},
            {"type": "text", "text": "."}
        ])
    );
    assert_eq!(blocks[3]["attribution"], "Un diplomate européen");
    assert_eq!(blocks[4]["ordered"], true);
    assert_eq!(
        blocks[4]["items"][1]["content"][0]["content"][0]["text"],
        "les corridors"
    );
    assert_eq!(
        blocks[5],
        json!({"type": "embed", "provider": "youtube", "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "id": "dQw4w9WgXcQ"})
    );
    assert_eq!(blocks[6]["align"], json!(["left", "right"]));
    assert_eq!(
        blocks[7],
        json!({"type": "code", "language": "text", "text": "t = 1992"})
    );
    // The embed's placeholder in the HTML: a link captioned with the provider, no script.
    let html = article["body_html"].as_str().unwrap_or_default();
    assert!(
        html.contains("<figure class=\"embed embed-youtube\"><a href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\" rel=\"noopener noreferrer\">"),
        "{html}"
    );
    assert!(
        !html.contains("<iframe") && !html.contains("<script"),
        "{html}"
    );

    // The same blocks wherever the article is read.
    let one = app
        .get("/v1/articles/alliance?fields=blocks")
        .expect(200)
        .json();
    assert_eq!(one, json!({"blocks": blocks}));
    let listed = app
        .get("/v1/articles?fields=slug,blocks")
        .expect(200)
        .json();
    assert_eq!(&listed["data"][0]["blocks"], blocks);
    let summary = app.get("/v1/articles").expect(200).json();
    assert!(
        summary["data"][0].get("blocks").is_none(),
        "lists show summaries"
    );
    let synced = app.get("/v1/sync?initial=true").expect(200).json();
    let item = synced["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["article"]["slug"] == "alliance")
        .unwrap_or_else(|| panic!("the article is synced: {synced}"));
    assert_eq!(&item["article"]["blocks"], blocks);
}

fn clients_write_blocks(app: &TestApp) {
    let blocks = json!([
        {"type": "heading", "level": 2, "content": [{"type": "text", "text": "Une relation « ancienne »"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Le "},
            {"type": "text", "text": "cœur", "marks": ["em", "strong"]},
            {"type": "text", "text": " du *sujet* #1\u{a0}!"}
        ]},
        {"type": "list", "ordered": false, "items": [
            {"content": [{"type": "paragraph", "content": [{"type": "text", "text": "1992 : le traité"}]}]}
        ]},
        {"type": "embed", "provider": "vimeo", "url": "https://vimeo.com/76979871", "id": "76979871"}
    ]);
    let created = app
        .post(
            "/v1/articles",
            json!({"title": "Écrit en blocs", "blocks": blocks}),
        )
        .expect(201)
        .json();
    // Marks come back in their canonical order; everything else as sent.
    let mut expected = blocks.clone();
    expected[1]["content"][1]["marks"] = json!(["strong", "em"]);
    assert_eq!(created["blocks"], expected);
    let body = created["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("## Une relation « ancienne »\n\n"),
        "{body}"
    );
    assert!(
        body.contains("\\*sujet\\*"),
        "text that reads as syntax is escaped: {body}"
    );

    // An edit in blocks replaces the body; the version moves on.
    let slug = created["slug"].as_str().unwrap_or_default();
    let edited = app
        .patch(
            &format!("/v1/articles/{slug}"),
            json!({"blocks": [{"type": "paragraph", "content": [{"type": "text", "text": "Réécrit."}]}]}),
        )
        .expect(200)
        .json();
    assert_eq!(edited["body"], "Réécrit.");
    assert_eq!(edited["word_count"], 1);
    let read = app
        .preview(&format!("/v1/articles/{slug}"))
        .expect(200)
        .json();
    assert_eq!(read["blocks"], edited["blocks"]);

    // What a client reads may be sent back as it is.
    let echoed = app.post(
        "/v1/articles",
        json!({"title": "Écho", "blocks": created["blocks"]}),
    );
    assert_eq!(echoed.status, 201, "{}", echoed.text);
    assert_eq!(echoed.json()["body"], created["body"]);
}

fn blocks_that_cannot_be_written_are_refused(app: &TestApp) {
    let refused = |body: Value, field: &str, detail: &str| {
        let res = app.post("/v1/articles", body);
        assert_eq!(res.status, 422, "{}", res.text);
        let problem = res.json();
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        assert!(
            errors.iter().any(|e| e["field"] == field
                && e["message"].as_str().is_some_and(|m| m.contains(detail))),
            "{field}: {detail} in {problem}"
        );
    };
    let paragraph = json!({"type": "paragraph", "content": [{"type": "text", "text": "Texte."}]});
    refused(
        json!({"title": "Deux corps", "body": "Texte.", "blocks": [paragraph]}),
        "blocks",
        "not both",
    );
    refused(json!({"title": "Sans corps"}), "body", "required");
    refused(
        json!({"title": "Niveau", "blocks": [paragraph, {"type": "heading", "level": 9, "content": []}]}),
        "blocks[1]",
        "from 1 to 6",
    );
    refused(
        json!({"title": "Croisés", "blocks": [{"type": "paragraph", "content": [
            {"type": "text", "text": "b ", "marks": ["strong"]},
            {"type": "text", "text": "b ", "marks": ["strong", "em"]},
            {"type": "text", "text": "a", "marks": ["em"]}
        ]}]}),
        "blocks[0]",
        "no Markdown reads back as it",
    );
    let mut deep = paragraph.clone();
    for _ in 0..40 {
        deep = json!({"type": "quote", "content": [deep]});
    }
    refused(
        json!({"title": "Profond", "blocks": [deep]}),
        "blocks[0]",
        "32 deep",
    );
    // A misspelt or unknown node is a client's mistake, named.
    for wrong in [
        json!([{"type": "paragraph", "contents": []}]),
        json!([{"type": "callout", "content": []}]),
    ] {
        let res = app.post("/v1/articles", json!({"title": "Faute", "blocks": wrong}));
        assert!(
            (400..500).contains(&res.status) && res.text.contains("blocks"),
            "{} {}",
            res.status,
            res.text
        );
    }
    assert_eq!(
        app.get("/v1/articles?status=draft").expect(200).json()["data"],
        json!([])
    );
}

fn pictures_of_the_library_carry_their_media(app: &TestApp) {
    let asset = uploaded(
        app,
        jpeg(1600, 900),
        "image/jpeg",
        "?alt=Astana%20sous%20la%20neige&credit=Claire%20Dubois",
    );
    let id = asset["id"].as_str().unwrap_or_default();
    let article = app.article(json!({
        "title": "En images", "status": "published",
        "body": format!("![]({})\n\n![Ailleurs](https://images.example/b.jpg)", format_args!("asset:{id}"))
    }));
    let image = &article["blocks"][0];
    assert_eq!(image["type"], "image");
    assert_eq!(image["asset"], id);
    let media = &image["media"];
    assert_eq!(media["id"], id);
    assert_eq!(
        (media["width"].as_u64(), media["height"].as_u64()),
        (Some(1600), Some(900))
    );
    assert_eq!(media["credit"], "Claire Dubois");
    assert_eq!(media["alt"], "Astana sous la neige");
    assert!(
        media["presets"]["medium"]["url"].as_str().is_some(),
        "{media}"
    );
    assert_eq!(media, &json!(asset_as_cover(app, id)));
    assert!(article["blocks"][1].get("media").is_none());
}

/// An asset as an article's cover shows it.
fn asset_as_cover(app: &TestApp, id: &str) -> Value {
    let article = app.article(json!({"title": "Couverture", "body": "x", "cover": id}));
    article["cover"].clone()
}

fn rows_without_blocks_are_worked_out(app: &TestApp) {
    app.article(
        json!({"slug": "ancien", "title": "Ancien", "status": "published",
        "body": "## Titre\n\nhttps://vimeo.com/76979871"}),
    );
    {
        use diesel::RunQueryDsl;
        let mut conn = app.db.get().expect("a connection");
        // As a row written before blocks were, and its HTML by older code.
        diesel::sql_query("UPDATE articles SET blocks = '', body_html = '<p>old</p>'")
            .execute(&mut conn)
            .expect("blocks emptied");
    }
    // Until worked out again, a read works them out from the body.
    let before = app.get("/v1/articles/ancien").expect(200);
    let etag = before.header("etag");
    let before = before.json();
    assert_eq!(types(&before["blocks"]), ["heading", "embed"]);
    let migrated = app.cli(&["migrate"]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let after = app.get("/v1/articles/ancien").expect(200);
    assert_ne!(
        after.header("etag"),
        etag,
        "what is shown changed: so does its tag"
    );
    let after = after.json();
    assert_eq!(after["blocks"], before["blocks"]);
    assert!(
        after["body_html"]
            .as_str()
            .is_some_and(|h| h.contains("embed-vimeo")),
        "{after}"
    );
}

on_both_backends!(
    every_kind_of_block_is_served,
    clients_write_blocks,
    blocks_that_cannot_be_written_are_refused,
    pictures_of_the_library_carry_their_media,
    rows_without_blocks_are_worked_out,
    links_to_other_articles_name_them,
);

fn links_to_other_articles_name_them(app: &TestApp) {
    let target = app.article(json!({
        "slug": "la-cible", "title": "La cible", "body": "x", "status": "published",
        "published_at": "2024-11-26T09:00:00Z"
    }));
    let id = target["id"].as_str().unwrap_or_default().to_owned();
    app.article(json!({"slug": "brouillon", "title": "Brouillon", "body": "x"}));
    app.article(json!({
        "slug": "lecteur", "title": "Lecteur", "status": "published",
        "published_at": "2024-11-27T09:00:00Z",
        "body": format!("Voir [la cible](article:{id}), [par son slug](article:la-cible) et [le brouillon](article:brouillon).")
    }));
    let read = app.get("/v1/articles/lecteur");
    let keys = read.header("surrogate-key").unwrap_or_default();
    assert_eq!(
        keys.split(' ')
            .filter(|k| k.starts_with("article-"))
            .count(),
        2,
        "{keys}"
    );
    let read = read.expect(200).json();
    let links: Vec<&Value> = read["blocks"][0]["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["type"] == "link")
        .collect();
    let cible = json!({"id": id, "slug": "la-cible", "url": "https://news.example/la-cible"});
    assert_eq!(links[0]["href"], format!("article:{id}"));
    assert_eq!(links[0]["article"], cible);
    assert_eq!(links[1]["article"], cible);
    assert!(
        links[2].get("article").is_none(),
        "a draft is not named: {}",
        links[2]
    );
    let html = read["body_html"].as_str().unwrap_or_default();
    assert_eq!(
        html.matches("href=\"https://news.example/la-cible\"")
            .count(),
        2,
        "{html}"
    );
    assert!(
        html.contains("<a rel=\"noopener noreferrer\">le brouillon</a>"),
        "{html}"
    );
    assert!(!html.contains("article:"), "{html}");

    // The target renamed, the draft published: the linking article shows both.
    app.patch(
        "/v1/articles/la-cible",
        json!({"slug": "la-nouvelle-cible"}),
    )
    .expect(200);
    app.patch("/v1/articles/brouillon", json!({"status": "published"}))
        .expect(200);
    let read = app.get("/v1/articles/lecteur").expect(200).json();
    let content = &read["blocks"][0]["content"];
    assert_eq!(content[1]["article"]["slug"], "la-nouvelle-cible");
    assert_eq!(content[5]["article"]["slug"], "brouillon");
    let listed = app
        .get("/v1/articles?fields=slug,blocks")
        .expect(200)
        .json();
    let item = listed["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["slug"] == "lecteur");
    assert_eq!(
        item.map(|a| &a["blocks"]),
        Some(&read["blocks"]),
        "{listed}"
    );
}
