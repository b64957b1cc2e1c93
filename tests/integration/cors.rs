//! Browsers on other origins: anyone may read, only listed origins may write,
//! and a refusal is a problem+json answer that changes nothing.

use crate::common;

use common::{TestApp, TestDb};
use reqwest::Method;
use serde_json::json;

const NEWSROOM: &str = "https://newsroom.example.org";
const ELSEWHERE: &str = "https://reader.example.net";

fn preflight(app: &TestApp, origin: &str, method: &str) -> common::Response {
    app.request_with(
        Method::OPTIONS,
        "/v1/articles",
        None,
        None,
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", method),
            (
                "Access-Control-Request-Headers",
                "authorization, content-type, if-match",
            ),
        ],
    )
}

#[test]
fn any_origin_reads_listed_origins_write() {
    let app = TestApp::spawn(TestDb::sqlite());
    let read = app
        .client_get_with("/v1/articles", &[("Origin", ELSEWHERE)])
        .expect(200);
    assert_eq!(
        read.header("access-control-allow-origin").unwrap(),
        ELSEWHERE
    );
    assert!(read
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase()
        .contains("etag"));
    preflight(&app, ELSEWHERE, "GET").expect(200);

    let allowed = preflight(&app, NEWSROOM, "PATCH").expect(200);
    assert_eq!(
        allowed.header("access-control-allow-origin").unwrap(),
        NEWSROOM
    );
    assert!(allowed
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PATCH"));
    assert!(allowed
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase()
        .contains("if-match"));

    let refused = preflight(&app, ELSEWHERE, "POST").expect(403);
    assert_eq!(refused.json()["title"], "Origin not allowed");
    assert_eq!(
        refused.header("content-type").unwrap(),
        "application/problem+json"
    );
    assert!(refused.json()["detail"]
        .as_str()
        .unwrap()
        .contains("cross-origin"));

    let token = app.write_token.clone();
    let body = json!({"title": "Depuis un navigateur", "body": "Texte."});
    let from_elsewhere = app.request_with(
        Method::POST,
        "/v1/articles",
        Some(&token),
        Some(&body),
        &[("Origin", ELSEWHERE)],
    );
    let problem = from_elsewhere.expect(403).json();
    assert_eq!(problem["title"], "Origin not allowed", "{problem}");
    assert_eq!(problem["type"], "/problems/origin-not-allowed");
    assert_eq!(
        app.preview("/v1/articles?include_total=true").json()["total"],
        0,
        "nothing was written"
    );
    let from_newsroom = app.request_with(
        Method::POST,
        "/v1/articles",
        Some(&token),
        Some(&body),
        &[("Origin", NEWSROOM)],
    );
    assert_eq!(
        from_newsroom
            .expect(201)
            .header("access-control-allow-origin")
            .unwrap(),
        NEWSROOM
    );

    // Without an Origin (servers, curl) CORS does not apply.
    app.post(
        "/v1/articles",
        json!({"title": "Par script", "body": "Texte."}),
    )
    .expect(201);
}
