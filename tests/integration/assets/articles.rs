//! Assets in articles: covers, responsive body images, and what happens to
//! articles when an asset changes or goes.

use reqwest::Method;
use serde_json::{json, Value};

use super::{dimensions, fetch, jpeg, uploaded, PDF};
use crate::common::TestApp;

fn article_with(app: &TestApp, cover: &str, body: &str) -> Value {
    app.article(json!({
        "title": "Poutine au Kazakhstan : une alliance stratégique…",
        "body": body,
        "status": "published",
        "language": "fr",
        "cover": cover,
    }))
}

fn covers_and_body_images_are_responsive(app: &TestApp) {
    let photo = uploaded(
        app,
        jpeg(2400, 1600),
        "image/jpeg",
        "?alt=Le%20palais%20pr%C3%A9sidentiel&caption=Astana%2C%20le%2027%20novembre",
    );
    let id = photo["id"].as_str().expect("an id");
    let pdf = uploaded(
        app,
        PDF.to_vec(),
        "application/pdf",
        "?filename=rapport.pdf",
    );
    let pdf_id = pdf["id"].as_str().expect("an id");
    let body = format!(
        "« Le cœur du sujet »\n\n![](asset:{id})\n\n![Une « vue »](asset:{id} \"Astana\")\n\n[Le rapport](asset:{pdf_id})"
    );
    let article = article_with(app, id, &body);
    assert_eq!(article["body"], body, "the source is kept byte for byte");
    let cover = &article["cover"];
    assert_eq!(cover["id"], id);
    assert_eq!(cover["alt"], "Le palais présidentiel");
    assert_eq!(cover["caption"], "Astana, le 27 novembre");
    assert_eq!(
        (cover["width"].as_u64(), cover["height"].as_u64()),
        (Some(2400), Some(1600))
    );
    assert!(cover["placeholder"].is_string());

    let html = article["body_html"].as_str().expect("body_html");
    let base = format!("{}/v1/assets/{id}/medium?v=", app.base);
    assert_eq!(html.matches(&format!("src=\"{base}")).count(), 2, "{html}");
    for wanted in [
        "width=\"960\" height=\"640\"",
        "loading=\"lazy\"",
        "sizes=\"(max-width: 960px) 100vw, 960px\"",
        " 1600w\"",
        // An image the body left without words takes the asset's alt text.
        "alt=\"Le palais présidentiel\"",
        "alt=\"Une « vue »\" title=\"Astana\"",
        &format!("href=\"{}/v1/assets/{pdf_id}/file\"", app.base),
    ] {
        assert!(html.contains(wanted), "{wanted} missing from {html}");
    }
    assert!(!html.contains("asset:"), "{html}");
    // Every address in srcset works and is the size it says.
    let srcset = cover["srcset"].as_str().expect("a srcset");
    for candidate in srcset.split(", ") {
        let (url, width) = candidate.split_once(' ').expect("url and width");
        let width: u32 = width.trim_end_matches('w').parse().expect("a width");
        let copy = fetch(app, url, &[("accept", "image/webp")]);
        assert_eq!(copy.status, 200, "{url}");
        assert_eq!(dimensions(&copy.bytes).0, width, "{url}");
    }

    // Lists show covers; `fields` can ask for it alone.
    let slug = article["slug"].as_str().expect("a slug");
    let listed = app.get("/v1/articles").expect(200).json();
    assert_eq!(listed["data"][0]["cover"]["id"], id);
    let picked = app
        .get(&format!("/v1/articles/{slug}?fields=cover"))
        .expect(200)
        .json();
    assert_eq!(picked, json!({"cover": cover}));

    // Unknown assets are refused and change nothing.
    let missing = "0b7e4a52-3f0c-4c1e-9a51-5f1f0f6d2a10";
    let refused = app.post(
        "/v1/articles",
        json!({"title": "Sans image", "body": format!("![x](asset:{missing})")}),
    );
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains(missing), "{}", refused.text);
    let refused = app.patch(&format!("/v1/articles/{slug}"), json!({"cover": missing}));
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(
        app.get(&format!("/v1/articles/{slug}")).expect(200).json()["cover"]["id"],
        id
    );

    // Taking the cover off is an edit like any other, and a revision restores it.
    let bare = app
        .patch(&format!("/v1/articles/{slug}"), json!({"cover": null}))
        .expect(200)
        .json();
    assert!(bare["cover"].is_null());
    let revisions = app
        .preview(&format!("/v1/articles/{slug}/revisions"))
        .expect(200)
        .json();
    let changed = &revisions["data"][0]["changed"];
    assert!(changed.to_string().contains("cover"), "{revisions}");
}

fn assets_in_use_are_kept_and_their_edits_reach_articles(app: &TestApp) {
    let photo = uploaded(app, jpeg(1200, 800), "image/jpeg", "?alt=Avant");
    let id = photo["id"].as_str().expect("an id");
    let article = article_with(app, id, &format!("Texte.\n\n![](asset:{id})"));
    let slug = article["slug"].as_str().expect("a slug");

    let refused = app.request(
        Method::DELETE,
        &format!("/v1/assets/{id}"),
        Some(&app.write_token),
        None,
    );
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains(slug), "{}", refused.text);
    app.get(&format!("/v1/assets/{id}")).expect(200);

    let before = app
        .get("/v1/sync?initial=true&per_page=100")
        .expect(200)
        .json();
    let token = before["next_sync_token"].as_str().expect("a sync token");
    let token = crate::common::urlencode(token);
    app.patch(
        &format!("/v1/assets/{id}"),
        json!({"alt": "Après « neige »"}),
    )
    .expect(200);
    let shown = app.get(&format!("/v1/articles/{slug}")).expect(200).json();
    assert_eq!(shown["cover"]["alt"], "Après « neige »");
    assert!(shown["body_html"]
        .as_str()
        .is_some_and(|h| h.contains("alt=\"Après « neige »\"")));
    // Sync clients hear that the article looks different.
    let delta = app
        .get(&format!("/v1/sync?sync_token={token}"))
        .expect(200)
        .json();
    assert!(delta.to_string().contains(slug), "{delta}");

    let forced = app.request(
        Method::DELETE,
        &format!("/v1/assets/{id}?force=true"),
        Some(&app.write_token),
        None,
    );
    assert_eq!(forced.status, 204, "{}", forced.text);
    app.get(&format!("/v1/assets/{id}")).expect(404);
    app.get(&format!("/v1/assets/{id}/file")).expect(404);
    let after = app.get(&format!("/v1/articles/{slug}")).expect(200).json();
    assert!(after["cover"].is_null());
    let html = after["body_html"].as_str().expect("body_html");
    assert!(
        html.contains("<img alt=\"\">") || html.contains("<img alt=\"\" />"),
        "{html}"
    );
    assert!(!html.contains("asset:"), "{html}");
}

fn covers_reach_feeds_and_sitemaps(app: &TestApp) {
    let photo = jpeg(1800, 1200);
    let size = photo.len();
    let asset = uploaded(app, photo, "image/jpeg", "?alt=Astana");
    let id = asset["id"].as_str().expect("an id");
    let article = article_with(app, id, "« Le cœur du sujet »");
    for kind in ["rss", "atom"] {
        let document = app
            .get(&format!("/v1/feeds/articles.{kind}"))
            .expect(200)
            .text;
        let feed = crate::feeds::read_feed(kind, &document);
        let enclosure = &feed["entries"][0]["enclosures"][0];
        assert_eq!(enclosure["href"], asset["url"], "{kind}: {feed}");
        assert_eq!(enclosure["type"], "image/jpeg", "{kind}");
        assert_eq!(enclosure["length"], size.to_string(), "{kind}");
    }
    let document = app.get("/v1/feeds/articles.json").expect(200).text;
    let feed = crate::feeds::read_feed("json", &document);
    assert_eq!(
        feed["entries"][0]["image"],
        asset["presets"]["large"]["url"]
    );

    let crawled = crate::sitemaps::crawl(app);
    let page = crawled["sitemaps"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["pages"].as_array().cloned().unwrap_or_default())
        .find(|p| p["url"] == article["url"])
        .expect("the article is in a sitemap");
    let image = format!("{}/v1/assets/{id}/large", app.base);
    assert_eq!(page["images"][0], image, "{page}");
    let large = fetch(app, &image, &[]);
    assert_eq!(
        (large.status, dimensions(&large.bytes)),
        (200, (1600, 1067))
    );
}

on_both_backends!(
    covers_reach_feeds_and_sitemaps,
    covers_and_body_images_are_responsive,
    assets_in_use_are_kept_and_their_edits_reach_articles,
);
