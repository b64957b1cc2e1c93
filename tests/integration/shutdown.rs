//! Graceful shutdown: on SIGTERM the server refuses new connections, lets the
//! request in flight finish, and exits well within the grace period.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::TestDb;

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let db = TestDb::sqlite();
    let mut server = Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "info")
        .env("FOLIO_SHUTDOWN_GRACE_SECONDS", "10")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start folio serve");
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let address = loop {
        let mut line = String::new();
        assert!(
            log.read_line(&mut line).unwrap() > 0,
            "the server stopped before listening"
        );
        if let Some(at) = line.find("listening on http://") {
            let rest = &line[at + "listening on http://".len()..];
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Drain the log so the server never blocks writing to it.
    std::thread::spawn(move || for _ in log.lines() {});

    // A request whose body is still arriving when the signal comes.
    let body = r#"{"title": "En vol", "body": "x"}"#;
    let mut in_flight = TcpStream::connect(&address).unwrap();
    write!(
        in_flight,
        "POST /v1/articles HTTP/1.1\r\nHost: folio\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        TcpStream::connect(&address).is_err(),
        "new connections are refused once shutting down"
    );

    in_flight.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the request in flight got its answer (no token: 401): {answer}"
    );
    let exit = server.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(signalled.elapsed() < Duration::from_secs(10));
}
