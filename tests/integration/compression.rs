//! Responses are compressed when the client asks, and caches are told they vary.

use crate::common;

use std::io::Read;

use common::{TestApp, TestDb};
use serde_json::json;

fn fetch(
    app: &TestApp,
    path: &str,
    accept_encoding: &str,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let res = reqwest::blocking::Client::new()
        .get(format!("{}{}", app.base, path))
        .header("Accept-Encoding", accept_encoding)
        .send()
        .expect("request sent");
    let headers = res.headers().clone();
    (headers, res.bytes().expect("body").to_vec())
}

#[test]
fn responses_are_compressed_when_asked() {
    let app = TestApp::spawn(TestDb::sqlite());
    for i in 0..20 {
        app.article(json!({"title": format!("Le cœur du réacteur {i}"),
            "body": "« Le nucléaire », dit-il, « est au centre du jeu ». ".repeat(20),
            "status": "published"}));
    }
    let path = "/v1/articles?fields=title,body_html&per_page=20";
    let (plain_headers, plain) = fetch(&app, path, "identity");
    assert!(plain_headers.get("content-encoding").is_none());
    let vary = crate::common::vary(&plain_headers);
    assert!(vary.contains("accept-encoding"), "{plain_headers:?}");
    for encoding in ["gzip", "br", "zstd"] {
        let (headers, body) = fetch(&app, path, encoding);
        assert_eq!(
            headers
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(encoding)
        );
        assert!(
            body.len() * 4 < plain.len(),
            "{encoding}: {} of {} bytes",
            body.len(),
            plain.len()
        );
        if encoding == "gzip" {
            let mut unzipped = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut unzipped)
                .expect("valid gzip");
            assert_eq!(unzipped, plain, "the same bytes once decoded");
        }
    }
    // Swagger UI's bundle, the largest thing served, too.
    let (headers, _) = fetch(&app, "/docs/swagger-ui-bundle.js", "gzip");
    assert_eq!(
        headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
}
