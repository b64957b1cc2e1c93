//! `/v1/changes/stream`: Server-Sent Events of the change log, read by a client
//! that parses the stream as a browser's EventSource would.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::TestApp;

/// A connection to the stream, read event by event.
struct Events {
    lines: BufReader<reqwest::blocking::Response>,
    /// The `id` of the last event read.
    last_id: Option<String>,
}

impl Events {
    fn open(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> Self {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        let mut request = client.get(format!("{}/v1/changes/stream{query}", app.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().expect("connect to the stream");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Self {
            lines: BufReader::new(response),
            last_id: None,
        }
    }

    /// The data of the next `change` event (comments and heartbeats skipped).
    fn next_change(&mut self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        let (mut id, mut data): (Option<String>, Option<String>) = (None, None);
        while Instant::now() < deadline {
            let mut line = String::new();
            if self.lines.read_line(&mut line).expect("read the stream") == 0 {
                panic!("the stream ended");
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if let Some(data) = data.take() {
                    self.last_id = id.take();
                    return serde_json::from_str(&data).expect("event data is JSON");
                }
                continue;
            }
            if let Some(value) = line.strip_prefix("id: ") {
                id = Some(value.to_owned());
            } else if let Some(value) = line.strip_prefix("data: ") {
                data = Some(value.to_owned());
            }
        }
        panic!("no event within 15 s");
    }
}

/// A reader sees each change as it happens, in the public view, and resumes
/// after a reconnect without missing any.
fn changes_arrive_live_and_resume(app: &TestApp) {
    let mut events = Events::open(app, "", &[]);
    app.post("/v1/sections", json!({"name": "Monde"}))
        .expect(201);
    let section = events.next_change();
    assert_eq!(section["type"], "section");
    assert_eq!(section["action"], "created");
    assert_eq!(section["section"]["name"], "Monde");

    let draft =
        app.article(json!({"title": "Brouillon", "body": "Pas encore.", "section": "monde"}));
    let hidden = events.next_change();
    assert_eq!(hidden["id"], draft["id"]);
    assert_eq!(
        hidden["deleted"], true,
        "the public does not see drafts: {hidden}"
    );
    assert!(hidden.get("article").is_none());

    app.patch("/v1/articles/brouillon", json!({"status": "published"}))
        .expect(200);
    let published = events.next_change();
    assert_eq!(published["action"], "published");
    assert_eq!(published["article"]["title"], "Brouillon");
    assert_eq!(published["article"]["body"], "Pas encore.");
    let resume_from = events.last_id.clone().expect("events have ids");
    drop(events);

    // Meanwhile, unseen: an edit and a deletion.
    app.patch("/v1/articles/brouillon", json!({"title": "Publiée"}))
        .expect(200);
    app.delete("/v1/articles/brouillon").expect(204);
    let mut resumed = Events::open(app, "", &[("Last-Event-ID", resume_from.as_str())]);
    let deleted = resumed.next_change();
    assert_eq!(deleted["action"], "deleted");
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["id"], draft["id"]);

    // Filters: a stream of articles only ignores a new tag.
    let mut articles = Events::open(app, "?type=article", &[]);
    app.post("/v1/tags", json!({"name": "Énergie"})).expect(201);
    app.article(
        json!({"title": "Suite", "body": "Texte.", "status": "published",
        "published_at": "2024-11-27T09:00:00Z"}),
    );
    let next = articles.next_change();
    assert_eq!(next["type"], "article");
    assert_eq!(next["article"]["title"], "Suite");

    app.get("/v1/changes/stream?type=video").expect(400);
    app.client_get_with("/v1/changes/stream", &[("Last-Event-ID", "soon")])
        .expect(400);
}

on_both_backends!(changes_arrive_live_and_resume);
