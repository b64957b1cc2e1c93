//! Tokens: who may read previews and who may write.

mod common;

use common::TestApp;
use reqwest::Method;
use serde_json::json;

fn writes_need_a_write_token(app: &TestApp) {
    let body = json!({"name": "Anonyme"});
    let anonymous = app
        .request(Method::POST, "/v1/tags", None, Some(&body))
        .expect(401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Bearer realm=\"folio\"")
    );
    assert_eq!(
        anonymous.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let problem = anonymous.json();
    assert_eq!(problem["status"], 401);
    assert!(problem["detail"].as_str().unwrap().contains("Bearer"));
    app.request(Method::POST, "/v1/tags", Some(&app.read_token), Some(&body))
        .expect(403);
    app.request(
        Method::POST,
        "/v1/tags",
        Some("folio_not-a-real-token"),
        Some(&body),
    )
    .expect(401);
    app.request(Method::DELETE, "/v1/tags/anonyme", None, None)
        .expect(401);
    app.request(
        Method::PATCH,
        "/v1/tags/anonyme",
        Some(&app.read_token),
        Some(&body),
    )
    .expect(403);
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&app.write_token),
        Some(&body),
    )
    .expect(201);
    // Nothing was written by the refused requests.
    assert_eq!(app.get("/v1/tags").json()["total"], 1);
}

fn malformed_authorization_is_401(app: &TestApp) {
    let res = app.client_get_with("/v1/articles", &[("Authorization", "Basic dXNlcjpwYXNz")]);
    assert_eq!(res.status, 401);
    let res = app.client_get_with("/v1/articles", &[("Authorization", "Bearer")]);
    assert_eq!(res.status, 401);
}

fn cli_tokens_create_list_revoke(app: &TestApp) {
    let out = app.cli(&["token", "create", "--name", "mobile", "--scope", "write"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("folio_") && token.len() > 40, "{stdout}");
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&token),
        Some(&json!({"name": "Mobile"})),
    )
    .expect(201);
    let list = app.cli(&["token", "list"]);
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(listed.contains("mobile\twrite"), "{listed}");
    assert!(!listed.contains(&token), "secrets are never shown again");
    let dup = app.cli(&["token", "create", "--name", "mobile", "--scope", "read"]);
    assert!(!dup.status.success());
    assert!(app.cli(&["token", "revoke", "mobile"]).status.success());
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&token),
        Some(&json!({"name": "Encore"})),
    )
    .expect(401);
    assert!(!app.cli(&["token", "revoke", "mobile"]).status.success());
}

fn tokens_are_stored_hashed(app: &TestApp) {
    use diesel::prelude::*;
    use folio::db::schema::api_tokens;
    let mut conn = app.db.get().unwrap();
    let hashes: Vec<String> = api_tokens::table
        .select(api_tokens::token_hash)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(hashes.len(), 2);
    for hash in hashes {
        assert_ne!(hash, app.write_token);
        assert_ne!(hash, app.read_token);
        assert_eq!(hash.len(), 64);
    }
}

on_both_backends!(
    writes_need_a_write_token,
    malformed_authorization_is_401,
    cli_tokens_create_list_revoke,
    tokens_are_stored_hashed,
);
