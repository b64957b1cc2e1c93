//! `FOLIO_LOG_FORMAT=json`: one JSON object per line, each request's facts as members.

use std::time::Duration;

use serde_json::Value;

use crate::outage::Server;

#[test]
fn json_logs_carry_each_request_with_its_trace() {
    let dir = tempfile::tempdir().expect("a directory");
    let url = format!("sqlite://{}", dir.path().join("folio.db").display());
    let created = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["token", "create", "--name", "desk-app", "--scope", "read"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run folio token create");
    assert!(created.status.success(), "{created:?}");
    let stdout = String::from_utf8_lossy(&created.stdout);
    let secret = stdout.lines().last().expect("the token").trim().to_owned();
    let server = Server::start_with(&url, &[("FOLIO_LOG_FORMAT", "json")]);
    server.wait_for("/ready", 200, Duration::from_secs(30));
    let with_token = reqwest::blocking::Client::new()
        .get(format!("{}/v1/articles", server.base))
        .bearer_auth(&secret)
        .header("x-request-id", "req-43")
        .send()
        .expect("an answer");
    assert_eq!(with_token.status().as_u16(), 200);
    let traced = reqwest::blocking::Client::new()
        .get(format!("{}/v1/articles/nulle-part?x=1", server.base))
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .header("x-request-id", "req-42")
        .send()
        .expect("an answer");
    assert_eq!(traced.status().as_u16(), 404);
    std::thread::sleep(Duration::from_millis(300));

    let lines = server.log_lines();
    let objects: Vec<Value> = lines
        .iter()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line}"))
        })
        .collect();
    for object in &objects {
        for member in ["time", "level", "target", "message"] {
            assert!(object[member].is_string(), "{member} in {object}");
        }
    }
    let request = objects
        .iter()
        .find(|o| o["request_id"] == "req-42")
        .expect("the request's line");
    assert_eq!(request["level"], "INFO");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["path"], "/v1/articles/nulle-part?x=1");
    assert_eq!(request["route"], "/v1/articles/{slug}");
    assert_eq!(request["status"], 404);
    assert_eq!(request["problem"], "/problems/not-found");
    assert_eq!(request["client"], "127.0.0.1");
    assert_eq!(request["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(request["parent_id"], "00f067aa0ba902b7");
    assert!(request["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0));
    assert!(request.get("token").is_none(), "{request}");
    // A token's name is logged, never its secret.
    let authorised = objects
        .iter()
        .find(|o| o["request_id"] == "req-43")
        .expect("the token holder's line");
    assert_eq!(authorised["token"], "desk-app");
    assert!(lines.iter().all(|line| !line.contains(&secret)));
}

/// What a client gets wrong is no error of the server's: a malformed request is
/// answered 400 and logged below `error`, so that an alert on errors means one.
#[test]
fn client_mistakes_are_not_logged_as_errors() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("a directory");
    let url = format!("sqlite://{}", dir.path().join("folio.db").display());
    let server = Server::start_with(&url, &[("FOLIO_LOG_FORMAT", "json"), ("RUST_LOG", "debug")]);
    server.wait_for("/ready", 200, Duration::from_secs(30));
    let address = server.base.trim_start_matches("http://").to_owned();
    for request in [
        "GET /v1/articles HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
        "GET /v1/articles HTTP/1.1\r\nHost: x\r\nX: \u{1}\r\n\r\n",
        "BROKEN\r\n\r\n",
    ] {
        let mut stream = std::net::TcpStream::connect(&address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        assert!(
            answer.starts_with("HTTP/1.1 400"),
            "{request:?}: {answer:?}"
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    let lines = server.log_lines();
    let parse_errors: Vec<Value> = lines
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|o| {
            o["message"]
                .as_str()
                .is_some_and(|m| m.contains("parse error"))
        })
        .collect();
    assert!(
        !parse_errors.is_empty(),
        "the mistakes are still logged: {lines:?}"
    );
    for line in &parse_errors {
        assert_eq!(line["level"], "DEBUG", "{line}");
    }
    assert!(
        lines
            .iter()
            .all(|line| !line.contains("\"level\":\"ERROR\"")),
        "{lines:#?}"
    );
}

#[test]
fn an_unknown_log_format_is_refused_at_start() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .arg("openapi")
        .env("FOLIO_LOG_FORMAT", "yaml")
        .output()
        .expect("run folio");
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("FOLIO_LOG_FORMAT must be text or json"),
        "{said}"
    );
}
