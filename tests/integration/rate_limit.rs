//! Rate limiting: per token, and per client address for anonymous callers, with
//! the IETF draft's `RateLimit-*` headers and a 429 problem past the limit.

use crate::common;

use common::{TestApp, TestDb};
use folio::rate_limit::{RateLimits, TrustedProxies};
use reqwest::Method;

fn limited() -> TestApp {
    TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.rate_limits = RateLimits {
            anonymous: 3,
            token: 5,
            window_seconds: 3600,
            trusted_proxies: TrustedProxies::None,
        };
    })
}

#[test]
fn anonymous_callers_are_limited_per_address() {
    let app = limited();
    for remaining in [2, 1, 0] {
        let res = app.get("/v1/articles").expect(200);
        assert_eq!(res.header("ratelimit-limit").as_deref(), Some("3"));
        assert_eq!(
            res.header("ratelimit-remaining"),
            Some(remaining.to_string())
        );
        assert_eq!(res.header("ratelimit-policy").as_deref(), Some("3;w=3600"));
    }
    let refused = app.get("/v1/sections").expect(429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry));
    assert_eq!(refused.header("ratelimit-remaining").as_deref(), Some("0"));
    assert_eq!(
        refused.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(refused.json()["type"], "/problems/rate-limited");
    assert!(refused.header("x-request-id").is_some());

    // Health checks and the spec are never limited; a token has its own count.
    app.get("/health").expect(200);
    app.get("/openapi.json").expect(200);
    app.preview("/v1/articles").expect(200);
}

#[test]
fn each_token_has_its_own_count() {
    let app = limited();
    for _ in 0..5 {
        app.preview("/v1/articles").expect(200);
    }
    app.preview("/v1/articles").expect(429);
    let other = app.request(Method::GET, "/v1/articles", Some(&app.write_token), None);
    assert_eq!(
        other.expect(200).header("ratelimit-remaining").as_deref(),
        Some("4")
    );
    // The anonymous count of the same address is untouched.
    assert_eq!(
        app.get("/v1/articles")
            .expect(200)
            .header("ratelimit-remaining")
            .as_deref(),
        Some("2")
    );
}

/// A made-up token is refused, and counted against the address that sent it: it
/// buys no bucket of its own.
#[test]
fn made_up_tokens_are_refused_and_counted_per_address() {
    let app = limited();
    for (i, remaining) in [2, 1, 0].into_iter().enumerate() {
        let forged = format!("folio_{i:064}");
        let res = app
            .request(Method::GET, "/v1/articles", Some(&forged), None)
            .expect(401);
        assert_eq!(
            res.header("ratelimit-remaining"),
            Some(remaining.to_string())
        );
    }
    app.request(Method::GET, "/v1/articles", Some("folio_another"), None)
        .expect(429);
    app.get("/v1/tags").expect(429);
    // The real token still has its own count.
    app.preview("/v1/articles").expect(200);
}

/// Behind one trusted proxy, the client is the address that proxy appended: a
/// client cannot buy a fresh count by writing addresses of its own to the left.
#[test]
fn only_the_proxy_appended_address_counts() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.rate_limits = RateLimits {
            anonymous: 3,
            token: 5,
            window_seconds: 3600,
            trusted_proxies: TrustedProxies::Hops(1),
        };
    });
    for i in 0..3 {
        let spoofed = format!("198.51.100.{i}, 203.0.113.7");
        app.client_get_with("/v1/articles", &[("X-Forwarded-For", spoofed.as_str())])
            .expect(200);
    }
    app.client_get_with(
        "/v1/articles",
        &[("X-Forwarded-For", "198.51.100.99, 203.0.113.7")],
    )
    .expect(429);
    // Another reader behind the same proxy has a count of its own.
    app.client_get_with("/v1/articles", &[("X-Forwarded-For", "203.0.113.8")])
        .expect(200);
    app.client_get_with(
        "/v1/articles",
        &[("Forwarded", "for=192.0.2.60;proto=https")],
    )
    .expect(200);
}
