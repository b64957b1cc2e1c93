//! Tokens: who may read previews and who may write.

use crate::common;

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
    // An unknown token is refused on public reads too, not taken as anonymous.
    let forged = format!("folio_{}", "0".repeat(64));
    for path in [
        "/v1",
        "/v1/articles",
        "/v1/tags",
        "/v1/sections",
        "/v1/authors",
        "/v1/archive",
        "/v1/articles/nothing",
    ] {
        let res = app.request(Method::GET, path, Some(&forged), None);
        assert_eq!(res.status, 401, "{path}: {}", res.text);
        assert_eq!(res.json()["detail"], "the token is unknown");
        assert!(res.header("www-authenticate").is_some());
    }
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
    assert!(
        listed.starts_with("NAME\tSCOPE\tCREATED\tSTATE\n"),
        "{listed}"
    );
    assert!(listed.contains("mobile\twrite"), "{listed}");
    assert!(!listed.contains(&token), "secrets are never shown again");
    let as_json = app.cli(&["token", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&as_json.stdout).expect("JSON");
    let mobile = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "mobile")
        .expect("the new token is listed");
    assert_eq!(mobile["scope"], "write");
    assert!(!String::from_utf8_lossy(&as_json.stdout).contains(&token));
    // Every option says what it is for.
    for args in [
        vec!["token", "create", "-h"],
        vec!["token", "revoke", "-h"],
        vec!["token", "list", "-h"],
        vec!["serve", "-h"],
        vec!["import", "-h"],
        vec!["export", "-h"],
        vec!["purge", "-h"],
    ] {
        let help = String::from_utf8(app.cli(&args).stdout).unwrap();
        for line in help
            .lines()
            .filter(|l| l.trim_start().starts_with('-') || l.trim_start().starts_with('<'))
        {
            let described = line
                .trim()
                .split("  ")
                .filter(|part| !part.trim().is_empty())
                .count()
                > 1;
            assert!(described, "{args:?}: {line:?} has no help text");
        }
    }
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
    let revoked = app.request(Method::GET, "/v1/tags", Some(&token), None);
    assert_eq!(
        revoked.status, 401,
        "a revoked token is refused on public reads"
    );
    assert!(!app.cli(&["token", "revoke", "mobile"]).status.success());
    // The command line's changes are audited as the API's are.
    let log = app
        .request(
            Method::GET,
            "/v1/audit?actor=folio%20token",
            Some(&app.admin_token),
            None,
        )
        .expect(200)
        .json();
    let entries: Vec<(&str, &str)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["target"].as_str().unwrap()))
        .collect();
    let mobile = format!("/v1/tokens/{}", mobile["id"]);
    assert_eq!(
        entries,
        [("revoke", mobile.as_str()), ("create", mobile.as_str())]
    );
}

fn tokens_are_stored_hashed(app: &TestApp) {
    use diesel::prelude::*;
    use folio::db::schema::api_tokens;
    let mut conn = app.db.get().unwrap();
    let hashes: Vec<String> = api_tokens::table
        .select(api_tokens::token_hash)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(hashes.len(), 3);
    for hash in hashes {
        for token in [&app.read_token, &app.write_token, &app.admin_token] {
            assert_ne!(&hash, token);
        }
        assert_eq!(hash.len(), 64);
    }
}

/// Tokens managed over the API: only `admin` may, the secret is shown once,
/// expiry and revocation take effect on the next request.
fn admin_tokens_manage_tokens(app: &TestApp) {
    let admin = app.admin_token.clone();
    let body = json!({"name": "site-web", "scope": "read"});
    for token in [&app.read_token, &app.write_token] {
        app.request(Method::POST, "/v1/tokens", Some(token), Some(&body))
            .expect(403);
        app.request(Method::GET, "/v1/tokens", Some(token), None)
            .expect(403);
    }
    app.get("/v1/tokens").expect(401);

    let created = app
        .request(Method::POST, "/v1/tokens", Some(&admin), Some(&body))
        .expect(201);
    let location = created.header("location").unwrap();
    let created = created.json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(created["token"]["status"], "active");
    assert_eq!(created["token"]["scope"], "read");
    app.request(Method::GET, "/v1/articles", Some(&secret), None)
        .expect(200);
    let listed = app
        .request(Method::GET, "/v1/tokens", Some(&admin), None)
        .expect(200);
    assert!(!listed.text.contains(&secret), "secrets are never listed");
    let listed = listed.json();
    let names: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["admin", "editor", "reader", "site-web"]);
    app.request(Method::POST, "/v1/tokens", Some(&admin), Some(&body))
        .expect(409);

    app.request(Method::DELETE, &location, Some(&admin), None)
        .expect(204);
    let refused = app
        .request(Method::GET, "/v1/articles", Some(&secret), None)
        .expect(401);
    assert!(refused.json()["detail"]
        .as_str()
        .unwrap()
        .contains("revoked"));
    let described = app
        .request(Method::GET, &location, Some(&admin), None)
        .expect(200)
        .json();
    assert_eq!(described["status"], "revoked");

    let past = json!({"name": "ancien", "scope": "write", "expires_at": "2020-01-01T00:00:00Z"});
    app.request(Method::POST, "/v1/tokens", Some(&admin), Some(&past))
        .expect(422);
    // Used before its expiry, refused after: the server's clock is moved, not waited out.
    let soon = chrono::Utc::now() + chrono::TimeDelta::seconds(60);
    let short = json!({"name": "court", "scope": "write", "expires_at": soon.to_rfc3339()});
    let short = app
        .request(Method::POST, "/v1/tokens", Some(&admin), Some(&short))
        .expect(201)
        .json();
    let secret = short["secret"].as_str().unwrap().to_owned();
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&secret),
        Some(&json!({"name": "Avant"})),
    )
    .expect(201);
    app.db.clock.advance(std::time::Duration::from_secs(61));
    let expired = app
        .request(
            Method::POST,
            "/v1/tags",
            Some(&secret),
            Some(&json!({"name": "Après"})),
        )
        .expect(401);
    assert!(expired.json()["detail"]
        .as_str()
        .unwrap()
        .contains("expired"));
    // An admin token may also write content.
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&admin),
        Some(&json!({"name": "Admin"})),
    )
    .expect(201);
}

/// Every write leaves one audit entry, in its own transaction; refused writes leave none.
fn writes_are_audited(app: &TestApp) {
    let admin = app.admin_token.clone();
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.article(json!({"slug": "note", "title": "Note", "body": "x", "tags": ["energie"]}));
    app.patch("/v1/articles/note", json!({"title": "Note corrigée"}))
        .expect(200);
    app.patch("/v1/articles/note", json!({"title": ""}))
        .expect(422);
    app.request(
        Method::POST,
        "/v1/tags",
        Some(&app.read_token),
        Some(&json!({"name": "Refusé"})),
    )
    .expect(403);
    app.delete("/v1/articles/note").expect(204);
    let photo = crate::assets::uploaded(app, crate::assets::jpeg(64, 48), "image/jpeg", "?alt=x");
    let photo = format!("/v1/assets/{}", photo["id"].as_str().expect("an id"));
    app.patch(&photo, json!({"alt": "Astana"})).expect(200);
    app.delete(&photo).expect(204);
    let created = app
        .request(
            Method::POST,
            "/v1/tokens",
            Some(&admin),
            Some(&json!({"name": "robot", "scope": "read"})),
        )
        .expect(201);
    let location = created.header("location").unwrap();
    app.request(Method::DELETE, &location, Some(&admin), None)
        .expect(204);

    app.request(Method::GET, "/v1/audit", Some(&app.write_token), None)
        .expect(403);
    let log = app
        .request(Method::GET, "/v1/audit", Some(&admin), None)
        .expect(200)
        .json();
    let entries: Vec<(String, String, String)> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("admin", "revoke", location.as_str()),
        ("admin", "create", location.as_str()),
        ("editor", "delete", photo.as_str()),
        ("editor", "update", photo.as_str()),
        ("editor", "create", photo.as_str()),
        ("editor", "delete", "/v1/articles/note"),
        ("editor", "update", "/v1/articles/note"),
        ("editor", "create", "/v1/articles/note"),
        ("editor", "create", "/v1/tags/energie"),
        // The test's own tokens, made before it started.
        ("test set-up", "create", "/v1/tokens/3"),
        ("test set-up", "create", "/v1/tokens/2"),
        ("test set-up", "create", "/v1/tokens/1"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(entries, expected);
    assert_eq!(log["total"], 12);
    let mine = app
        .request(Method::GET, "/v1/audit?actor=admin", Some(&admin), None)
        .json();
    assert_eq!(mine["total"], 2);
}

/// Entries the audit log table kept before the audit log was read from the change
/// log (or that an older export restores) move into it and keep their place.
fn earlier_audit_entries_are_kept(app: &TestApp) {
    use diesel::RunQueryDsl;
    let mut conn = app.db.get().unwrap();
    diesel::sql_query(
        "INSERT INTO audit_log (at, actor, action, target) \
         VALUES ('2024-11-27 08:00:00', 'newsroom', 'update', '/v1/articles/ancien')",
    )
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    // Any command that opens the database moves them (as does `folio serve`).
    assert!(app.cli(&["token", "list"]).status.success());
    let log = app
        .request(Method::GET, "/v1/audit", Some(&app.admin_token), None)
        .expect(200)
        .json();
    // The tag, the test's own three tokens, and the kept entry, oldest last.
    assert_eq!(log["total"], 5);
    assert_eq!(log["data"][0]["target"], "/v1/tags/energie");
    let kept = &log["data"][4];
    assert_eq!(kept["actor"], "newsroom");
    assert_eq!(kept["action"], "update");
    assert_eq!(kept["target"], "/v1/articles/ancien");
    assert_eq!(kept["at"], "2024-11-27T08:00:00Z");
}

on_both_backends!(
    earlier_audit_entries_are_kept,
    admin_tokens_manage_tokens,
    writes_are_audited,
    writes_need_a_write_token,
    malformed_authorization_is_401,
    cli_tokens_create_list_revoke,
    tokens_are_stored_hashed,
);
