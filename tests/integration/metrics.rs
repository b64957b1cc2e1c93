//! `/metrics`, read by the Prometheus client's own parser.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::common::{self, TestApp, TestDb};

/// The samples Prometheus would scrape.
fn scrape(text: &str) -> Value {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/metrics/read_metrics.py");
    let mut child = Command::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with the prometheus-client package");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("hand over the metrics");
    let output = child.wait_with_output().expect("the parser's verdict");
    assert!(
        output.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the parser's JSON")
}

/// The value of the sample `name` whose labels include `labels`.
fn sample(scraped: &Value, name: &str, labels: Value) -> Option<f64> {
    scraped["samples"]
        .as_array()?
        .iter()
        .find(|s| {
            s["name"] == name
                && labels
                    .as_object()
                    .is_some_and(|l| l.iter().all(|(k, v)| s["labels"][k] == *v))
        })
        .and_then(|s| s["value"].as_f64())
}

#[test]
fn requests_pools_and_the_change_log_are_measured() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.rate_limits.anonymous = 5;
    });
    common::published(&app, "un", "2024-11-27T09:00:00Z", json!({}));
    app.get("/v1/articles/un").expect(200);
    app.get("/v1/articles/un").expect(200);
    app.get("/v1/articles/nulle-part").expect(404);
    // Past the anonymous limit.
    while app.get("/v1/articles/un").status != 429 {}

    let response = app.get("/metrics").expect(200);
    assert!(response
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")));
    let scraped = scrape(&response.text);
    assert_eq!(
        scraped["families"]["folio_http_request_duration_seconds"],
        "histogram"
    );
    let route =
        |status: &str| json!({"route": "/v1/articles/{slug}", "method": "GET", "status": status});
    assert!(sample(&scraped, "folio_http_requests_total", route("200")) >= Some(2.0));
    assert_eq!(
        sample(&scraped, "folio_http_requests_total", route("404")),
        Some(1.0)
    );
    assert!(
        sample(
            &scraped,
            "folio_http_request_duration_seconds_count",
            route("200")
        ) >= Some(2.0)
    );
    assert!(sample(&scraped, "folio_rate_limited_total", json!({})) >= Some(1.0));
    // Raw paths never become labels.
    assert!(!response.text.contains("nulle-part"));
    assert!(sample(
        &scraped,
        "folio_db_pool_connections",
        json!({"database": "primary", "state": "idle"})
    )
    .is_some());
    // Background work (webhooks, purges, publications) may be waiting at that moment.
    assert!(sample(&scraped, "folio_db_pool_waiting", json!({})).is_some());
    assert!(
        sample(
            &scraped,
            "folio_db_work_duration_seconds_count",
            json!({"database": "primary"})
        ) >= Some(1.0)
    );
    assert!(sample(&scraped, "folio_changes_latest_seq", json!({})) >= Some(1.0));
    assert!(sample(
        &scraped,
        "folio_change_log_lag",
        json!({"follower": "webhooks"})
    )
    .is_some());
    assert_eq!(
        sample(
            &scraped,
            "folio_webhook_messages",
            json!({"state": "pending"})
        ),
        Some(0.0)
    );
}

#[test]
fn a_metrics_token_keeps_them_private() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |settings| {
        settings.metrics_token = Some("jeton-des-metriques".into());
    });
    let problem = app.get("/metrics").expect(401).json();
    assert!(problem["detail"]
        .as_str()
        .is_some_and(|d| d.contains("FOLIO_METRICS_TOKEN")));
    app.client_get_with("/metrics", &[("authorization", "Bearer autre")])
        .expect(401);
    // The scheme is case-insensitive (RFC 9110, section 11.1).
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = app.client_get_with(
            "/metrics",
            &[("authorization", &format!("{scheme} jeton-des-metriques"))],
        );
        assert_eq!(response.status, 200, "{scheme}");
        scrape(&response.text);
    }
}

/// Invented methods all count as `other`: a thousand of them leave the metrics
/// the size they were.
#[test]
fn invented_methods_do_not_grow_the_metrics() {
    let app = TestApp::spawn(TestDb::sqlite());
    let send = |method: &str| {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.request(method, "/nope", None, None);
    };
    send("ZXQV");
    // The first scrape makes the series of /metrics itself.
    app.get("/metrics").expect(200);
    let before = app.get("/metrics").expect(200).text.len();
    for n in 0..1000 {
        send(&format!("X{n:04}Q"));
    }
    let after = app.get("/metrics").expect(200);
    assert!(
        after.text.len() < before + 200,
        "{before} bytes before, {} after",
        after.text.len()
    );
    let scraped = scrape(&after.text);
    assert!(
        sample(
            &scraped,
            "folio_http_requests_total",
            json!({"route": "unmatched", "method": "other"})
        ) >= Some(1001.0)
    );
}
