//! The database out of reach: at start-up Folio listens, says not ready and
//! retries until the database is there; lost while running, requests get a 503
//! problem with Retry-After and it recovers by itself. PostgreSQL only (a file
//! database cannot go away): the database is reached through a TCP relay that the
//! test cuts and restores, as a network or server outage would.

use crate::common;

use std::io::{BufRead, BufReader};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::TestDb;

/// A running relay: its stop flag and the connections it carries.
type Running = (Arc<AtomicBool>, Arc<Mutex<Vec<TcpStream>>>);

/// A TCP relay to the database that can be cut (every connection reset, new
/// ones refused) and restored on the same port.
struct Relay {
    port: u16,
    upstream: String,
    running: Option<Running>,
}

impl Relay {
    fn new(upstream: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        Self {
            port,
            upstream: upstream.to_owned(),
            running: None,
        }
    }

    fn start(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("bind the relay");
        listener.set_nonblocking(true).expect("non-blocking");
        let stop = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let (stop_flag, open, upstream) = (stop.clone(), streams.clone(), self.upstream.clone());
        thread::spawn(move || {
            while !stop_flag.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                };
                client.set_nonblocking(false).expect("blocking");
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut list = open.lock().unwrap();
                for (from, to) in [(&client, &server), (&server, &client)] {
                    let (mut from, mut to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
                    thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
                list.push(client);
                list.push(server);
            }
        });
        self.running = Some((stop, streams));
    }

    fn cut(&mut self) {
        if let Some((stop, streams)) = self.running.take() {
            stop.store(true, Ordering::SeqCst);
            for stream in streams.lock().unwrap().drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
            // Let the accept loop see the flag and close the listener.
            thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A `folio serve` process; dropping it kills it (SIGKILL: no shutdown at all).
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    client: reqwest::blocking::Client,
    /// Every line the server logged so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// A server with more environment variables set.
    pub(crate) fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start folio");
        let mut log = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        let base = loop {
            line.clear();
            if log.read_line(&mut line).expect("read the log") == 0 {
                panic!("folio exited before listening");
            }
            // A text line goes on with a space, a JSON one with the message's end.
            if let Some((_, address)) = line.split_once("listening on ") {
                let end = address.find([' ', '"']).unwrap_or(address.len());
                break address[..end].trim_end().to_owned();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        let lines = Arc::new(Mutex::new(vec![line.trim_end().to_owned()]));
        let kept = lines.clone();
        thread::spawn(move || {
            for line in log.lines().map_while(Result::ok) {
                kept.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            base,
            log: lines,
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    pub(crate) fn get(&self, path: &str) -> reqwest::blocking::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .expect("the server answers")
    }

    /// Every line logged so far.
    pub(crate) fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Polls `path` until it answers `status`, for at most `within`.
    pub(crate) fn wait_for(&self, path: &str, status: u16, within: Duration) {
        let start = Instant::now();
        loop {
            let got = self.get(path).status().as_u16();
            if got == status {
                return;
            }
            assert!(
                start.elapsed() < within,
                "{path} still answers {got}, not {status}"
            );
            thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_unavailable(res: reqwest::blocking::Response) {
    assert_eq!(res.status().as_u16(), 503);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
}

#[test]
#[cfg_attr(
    not(folio_postgres_tests),
    ignore = "FOLIO_TEST_POSTGRES_URL is not set"
)]
fn survives_the_database_going_away_and_coming_back() {
    let db = TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set");
    // postgres://user@host:port/name → the same database through the relay.
    let (server_part, name) = db.url.rsplit_once('/').unwrap();
    let (credentials, address) = server_part.rsplit_once('@').unwrap();
    let mut relay = Relay::new(address);
    let via_relay = format!("{credentials}@127.0.0.1:{}/{name}", relay.port);

    // Start-up with the database out of reach: up, not ready, 503 with Retry-After.
    let server = Server::start(&via_relay);
    assert_eq!(server.get("/health").status().as_u16(), 200);
    assert_unavailable(server.get("/ready"));
    assert_unavailable(server.get("/v1/articles"));

    // The database appears: Folio migrates and serves without a restart.
    relay.start();
    server.wait_for("/ready", 200, Duration::from_secs(60));
    assert_eq!(server.get("/v1/articles").status().as_u16(), 200);

    // Lost while running: 503s, never a 500 or a hang.
    relay.cut();
    for _ in 0..2 {
        assert_unavailable(server.get("/v1/articles"));
    }
    assert_unavailable(server.get("/ready"));
    assert_eq!(server.get("/health").status().as_u16(), 200);

    // Back: it recovers by itself.
    relay.start();
    server.wait_for("/v1/articles", 200, Duration::from_secs(30));
    server.wait_for("/ready", 200, Duration::from_secs(5));

    // Every connection killed by the server (a restart, an administrator):
    // the pool replaces them, so the next requests succeed.
    common::psql(
        &db.url,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    );
    for _ in 0..5 {
        assert_eq!(server.get("/v1/articles").status().as_u16(), 200);
    }
}

/// While the database is out of reach the log says so once per retry, on one line;
/// each request is one line with its problem type, and a 5xx is an error with its cause.
#[test]
fn the_log_is_one_line_per_event() {
    let server = Server::start("postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=1");
    thread::sleep(Duration::from_secs(8));
    assert_unavailable(server.get("/v1/articles"));
    thread::sleep(Duration::from_millis(200));
    let log = server.log.lock().unwrap().clone();
    let retries = log.iter().filter(|l| l.contains("is not ready")).count();
    assert!(
        (1..=4).contains(&retries),
        "{retries} retry lines in 8 s: {log:#?}"
    );
    for line in &log {
        assert!(
            line.starts_with('['),
            "a line that continues another: {line:?}"
        );
    }
    let request = log
        .iter()
        .find(|l| l.contains("GET /v1/articles"))
        .expect("the request is logged");
    assert!(request.contains(" ERROR "), "{request}");
    assert!(
        request.contains(" 503 ") && request.contains("/problems/unavailable"),
        "{request}"
    );

    let dir = tempfile::tempdir().unwrap();
    let sqlite = Server::start(&format!(
        "sqlite://{}",
        dir.path().join("folio.db").display()
    ));
    sqlite.wait_for("/ready", 200, Duration::from_secs(30));
    assert_eq!(sqlite.get("/v1/nothing-here").status().as_u16(), 404);
    thread::sleep(Duration::from_millis(200));
    let log = sqlite.log.lock().unwrap().clone();
    let line = log
        .iter()
        .find(|l| l.contains("GET /v1/nothing-here"))
        .expect("the request is logged");
    assert!(line.contains(" INFO ") && line.contains(" 404 "), "{line}");
    assert!(line.ends_with("/problems/not-found"), "{line}");
    let millis = line
        .split_whitespace()
        .find(|w| w.ends_with("ms"))
        .expect("a latency");
    let digits = millis.trim_end_matches("ms");
    assert!(
        digits.parse::<f64>().is_ok() && digits.split('.').nth(1).map(str::len) == Some(1),
        "{millis}"
    );
}
