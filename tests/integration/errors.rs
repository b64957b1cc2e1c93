//! Bad input gets a precise problem+json answer and changes nothing.

use crate::common;

use common::TestApp;
use reqwest::Method;
use serde_json::json;

fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: &str,
    body: &str,
) -> common::Response {
    let client = reqwest::blocking::Client::new();
    let res = client
        .request(method, format!("{}{}", app.base, path))
        .bearer_auth(&app.write_token)
        .header("Content-Type", content_type)
        .body(body.to_owned())
        .send()
        .unwrap();
    common::Response {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        text: res.text().unwrap(),
    }
}

fn unknown_fields_and_wrong_types_name_the_field(app: &TestApp) {
    let unknown = app
        .post(
            "/v1/articles",
            json!({"title": "x", "body": "y", "colour": "red"}),
        )
        .expect(422);
    assert_eq!(
        unknown.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let problem = unknown.json();
    assert_eq!(problem["type"], "/problems/validation");
    assert_eq!(problem["status"], 422);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{problem}"
    );
    let wrong = app
        .post("/v1/articles", json!({"title": 42, "body": "y"}))
        .expect(422)
        .json();
    assert_eq!(wrong["errors"][0]["field"], "title");
    let nested = app
        .post(
            "/v1/articles",
            json!({"title": "x", "body": "y", "tags": ["ok", 3]}),
        )
        .expect(422)
        .json();
    assert_eq!(nested["errors"][0]["field"], "tags[1]");
    let status = app
        .post(
            "/v1/articles",
            json!({"title": "x", "body": "y", "status": "live"}),
        )
        .expect(422)
        .json();
    assert_eq!(status["errors"][0]["field"], "status");
    let missing = app
        .post("/v1/articles", json!({"title": "x"}))
        .expect(422)
        .json();
    assert!(
        missing["detail"].as_str().unwrap().contains("body"),
        "{missing}"
    );
}

fn every_invalid_field_is_reported(app: &TestApp) {
    let problem = app
        .post(
            "/v1/articles",
            json!({
                "title": "  ", "body": "y", "slug": "Pas Un Slug", "language": "français",
                "tags": ["Bad Tag"], "section": "-x-"
            }),
        )
        .expect(422)
        .json();
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        vec!["language", "section", "slug", "tags[0]", "title"]
    );
    assert_eq!(
        app.preview("/v1/articles?include_total=true").json()["total"],
        0,
        "nothing was written"
    );
}

fn malformed_json_is_400_and_other_media_415(app: &TestApp) {
    let broken = raw(
        app,
        Method::POST,
        "/v1/tags",
        "application/json",
        "{\"name\": ",
    )
    .expect(400);
    assert_eq!(
        broken.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert!(broken.json()["detail"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    for trailing in [
        "{\"name\": \"t\"} xx",
        "{\"name\": \"t\"}{\"name\": \"u\"}",
        "{\"name\": \"t\"} 1",
    ] {
        let problem = raw(app, Method::POST, "/v1/tags", "application/json", trailing)
            .expect(400)
            .json();
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("after its JSON value"),
            "{problem}"
        );
    }
    raw(
        app,
        Method::POST,
        "/v1/tags",
        "application/json",
        "{\"name\": \"white space after\"} \n\t ",
    )
    .expect(201);
    assert_eq!(
        app.get("/v1/tags").json()["total"],
        1,
        "only the clean body was kept"
    );
    raw(
        app,
        Method::POST,
        "/v1/tags",
        "text/plain",
        "{\"name\": \"x\"}",
    )
    .expect(415);
    raw(app, Method::POST, "/v1/tags", "application/json", "[1, 2]").expect(422);
    let array = raw(app, Method::PATCH, "/v1/tags/x", "application/json", "[]")
        .expect(422)
        .json();
    assert_eq!(array["errors"][0]["field"], "body");
    raw(
        app,
        Method::POST,
        "/v1/tags",
        "application/merge-patch+json",
        "{\"name\": \"ok\"}",
    )
    .expect(201);
}

fn oversized_bodies_are_refused(app: &TestApp) {
    // The test server allows 200 000 bytes of Markdown and 1 000 000 bytes of request.
    let big = "é".repeat(150_000);
    let problem = app
        .post("/v1/articles", json!({"title": "Long", "body": big}))
        .expect(422)
        .json();
    assert_eq!(problem["errors"][0]["field"], "body");
    let huge = "a".repeat(1_100_000);
    let res = app
        .post("/v1/articles", json!({"title": "Trop", "body": huge}))
        .expect(413);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let nul = app
        .post("/v1/tags", json!({"name": "a\u{0}b"}))
        .expect(422)
        .json();
    assert_eq!(nul["errors"][0]["field"], "name");
}

fn duplicate_slugs_conflict(app: &TestApp) {
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    let dup = app
        .post("/v1/sections", json!({"name": "Autre", "slug": "monde"}))
        .expect(409)
        .json();
    assert!(dup["detail"].as_str().unwrap().contains("monde"));
    assert_eq!(app.get("/v1/sections").json()["total"], 1);
}

fn unknown_paths_and_methods(app: &TestApp) {
    let missing = app.get("/v1/nope").expect(404);
    assert_eq!(
        missing.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let not_allowed = app
        .request(Method::PUT, "/v1/articles/x", Some(&app.write_token), None)
        .expect(405);
    assert_eq!(
        not_allowed.header("allow").as_deref(),
        Some("GET, HEAD, PATCH, DELETE")
    );
    let on_list = app
        .request(Method::DELETE, "/v1/articles", Some(&app.write_token), None)
        .expect(405);
    assert_eq!(on_list.header("allow").as_deref(), Some("GET, HEAD, POST"));
    app.get("/v1/tags/NOT_A_SLUG").expect(404);
    let head = app
        .request(Method::HEAD, "/v1/articles", None, None)
        .expect(200);
    assert!(head.text.is_empty());
    assert!(head.header("etag").is_some());
    // HEAD tells the length the GET would have.
    for path in ["/v1/articles", "/v1/nope", "/openapi.json"] {
        let get = app.get(path);
        let head = app.request(Method::HEAD, path, None, None);
        assert_eq!(head.status, get.status, "{path}");
        assert_eq!(
            head.header("content-length"),
            Some(get.text.len().to_string()),
            "{path}"
        );
    }
}

fn health_and_readiness(app: &TestApp) {
    assert_eq!(app.get("/health").expect(200).json()["status"], "ok");
    let ready = app.get("/ready").expect(200).json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database"], app.test_db.backend.name());
    assert!(app.get("/docs/").expect(200).text.contains("swagger"));
    assert_eq!(app.get("/docs").status, 308);
    assert_eq!(
        app.get("/openapi.json").expect(200).json()["openapi"],
        "3.1.0"
    );
    // The root says where everything is.
    let index = app.get("/").expect(200);
    assert_eq!(
        index.header("content-type").as_deref(),
        Some("application/json")
    );
    let index = index.json();
    for (key, href) in [
        ("api", "/v1"),
        ("docs", "/docs/"),
        ("openapi", "/openapi.json"),
        ("health", "/health"),
        ("ready", "/ready"),
    ] {
        assert_eq!(index["links"][key]["href"], href, "{index}");
    }
    for link in index["links"].as_object().unwrap().values() {
        app.get(link["href"].as_str().unwrap()).expect(200);
    }
}

on_both_backends!(
    unknown_fields_and_wrong_types_name_the_field,
    every_invalid_field_is_reported,
    malformed_json_is_400_and_other_media_415,
    oversized_bodies_are_refused,
    duplicate_slugs_conflict,
    unknown_paths_and_methods,
    health_and_readiness,
);

/// Every answer, errors and documentation included, carries the security headers.
#[test]
fn security_headers_on_every_response() {
    let app = TestApp::spawn(common::TestDb::sqlite());
    for (path, status) in [
        ("/v1/articles", 200),
        ("/v1/articles/nothing-here", 404),
        ("/openapi.json", 200),
        ("/docs/", 200),
        ("/nowhere", 404),
    ] {
        let res = app.get(path).expect(status);
        assert_eq!(
            res.header("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            res.header("referrer-policy").unwrap(),
            "no-referrer",
            "{path}"
        );
        let policy = res.header("content-security-policy").unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        if path == "/docs/" {
            assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-eval"));
            assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
        } else {
            assert!(
                policy.starts_with("default-src 'none'; frame-ancestors"),
                "{path}"
            );
        }
    }
}

/// Sends raw bytes and returns what the server answered (until it closes or `wait` passes).
fn raw_exchange(app: &TestApp, request: &[u8], wait: std::time::Duration) -> String {
    use std::io::{Read, Write};
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(request).expect("send");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A body that stops arriving is cut off with a 408 problem, and the connection closed.
#[test]
fn a_stalled_body_is_a_408() {
    let app = TestApp::spawn_with(common::TestDb::sqlite(), |settings| {
        settings.limits.body_timeout = std::time::Duration::from_secs(1);
    });
    let head = format!(
        "POST /v1/tags HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\": ",
        app.write_token
    );
    let started = std::time::Instant::now();
    let answer = raw_exchange(&app, head.as_bytes(), std::time::Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(9),
        "the server closed the connection"
    );
    assert_eq!(app.get("/v1/tags").json()["total"], 0);
}

/// A target or headers larger than any client needs get a problem document too.
#[test]
fn oversized_targets_and_headers_are_problems() {
    let app = TestApp::spawn(common::TestDb::sqlite());
    let long = format!("/v1/articles/{}", "a".repeat(33_000));
    let res = app.get(&long).expect(414);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(res.json()["type"], "/problems/uri-too-long");
    let names: Vec<String> = (0..70).map(|i| format!("x-extra-{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    let res = app.client_get_with("/v1/articles", &many).expect(431);
    assert_eq!(res.json()["type"], "/problems/headers-too-large");
    let big = "v".repeat(17_000);
    let res = app
        .client_get_with("/v1/articles", &[("x-big", big.as_str())])
        .expect(431);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    // Ordinary requests are untouched.
    app.get(&format!("/v1/articles?q={}", "coeur+".repeat(15)))
        .expect(200);
}

/// Heads the HTTP parser itself would give up on (more than 96 headers, a head
/// over 64 KiB) get the same problem documents, sent before the rest arrives.
#[test]
fn heads_past_the_parsers_own_ceilings_are_problems() {
    let app = TestApp::spawn(common::TestDb::sqlite());
    for (count, size) in [(100, 1), (2_000, 1), (1, 100_000), (1, 1_000_000)] {
        let names: Vec<String> = (0..count).map(|i| format!("x-extra-{i}")).collect();
        let value = "v".repeat(size);
        let headers: Vec<(&str, &str)> =
            names.iter().map(|n| (n.as_str(), value.as_str())).collect();
        let res = app.client_get_with("/v1/articles", &headers).expect(431);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{count} headers of {size} bytes"
        );
        assert_eq!(res.json()["type"], "/problems/headers-too-large");
    }
    // The longest target an HTTP client library will send...
    let res = app
        .get(&format!("/v1/articles?q={}", "a".repeat(60_000)))
        .expect(414);
    assert_eq!(res.json()["type"], "/problems/uri-too-long");
    // ...and longer ones, sent by hand: the refusal comes before the head ends.
    let target = format!("/v1/articles?q={}", "a".repeat(2_000_000));
    let head = format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = raw_exchange(&app, head.as_bytes(), std::time::Duration::from_secs(5));
    assert!(
        answer.starts_with("HTTP/1.1 414"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    assert!(answer.contains("application/problem+json"), "{answer}");
    let mut head = "GET /v1/articles HTTP/1.1\r\nHost: x\r\n".to_owned();
    for i in 0..150 {
        head.push_str(&format!("X-Extra-{i}: v\r\n"));
    }
    let answer = raw_exchange(&app, head.as_bytes(), std::time::Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(answer.contains("more than 64 headers"), "{answer}");
    app.get("/v1/articles").expect(200);
}
