//! Read replicas against a real PostgreSQL streaming replica made by the test:
//! `initdb` a primary, `pg_basebackup -R` a standby of it, both on free ports.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{free_port, psql, TestApp, TestDb};

/// A primary and its streaming standby, stopped and removed when dropped.
struct StreamingPair {
    bin: PathBuf,
    dir: tempfile::TempDir,
    primary_port: u16,
    standby_port: u16,
    /// Whether this process runs as root, when the clusters run as `postgres`.
    as_root: bool,
}

/// The PostgreSQL server binaries' directory; the tests that need them are
/// ignored where they are not installed (see `build.rs`).
fn server_binaries() -> PathBuf {
    Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_basebackup").exists())
        .expect("the PostgreSQL server binaries (apt-get install postgresql)")
}

impl StreamingPair {
    fn start() -> Self {
        let bin = server_binaries();
        let dir = tempfile::tempdir().expect("a directory for the clusters");
        let pair = Self {
            bin,
            dir,
            primary_port: free_port(),
            standby_port: free_port(),
            as_root: Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| o.stdout.trim_ascii() == b"0"),
        };
        // PostgreSQL refuses to run as root: as root, the clusters belong to `postgres`.
        if pair.as_root {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pair.dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown the cluster directory");
        }
        let primary = pair.path("primary");
        pair.run(
            "initdb",
            &[
                "-D",
                &primary,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let socket = pair.dir.path().display().to_string();
        std::fs::OpenOptions::new()
            .append(true)
            .open(pair.dir.path().join("primary/postgresql.conf"))
            .and_then(|mut conf| {
                writeln!(
                    conf,
                    "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket}'\n\
                     wal_level = replica\nmax_wal_senders = 4\nfsync = off",
                    pair.primary_port
                )
            })
            .expect("configure the primary");
        pair.pg_ctl("primary", "start");
        let standby = pair.path("standby");
        let port = pair.primary_port.to_string();
        pair.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-D",
                &standby,
                "-R",
                "-X",
                "stream",
            ],
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(pair.dir.path().join("standby/postgresql.conf"))
            .and_then(|mut conf| writeln!(conf, "port = {}", pair.standby_port))
            .expect("configure the standby");
        pair.pg_ctl("standby", "start");
        pair
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let output = if self.as_root {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
        .expect("run a PostgreSQL program");
        assert!(
            output.status.success(),
            "{} {args:?}: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn pg_ctl(&self, cluster: &str, action: &str) {
        let data = self.path(cluster);
        let log = self.path(&format!("{cluster}.log"));
        match action {
            "start" => self.run("pg_ctl", &["-D", &data, "-l", &log, "-w", "start"]),
            _ => self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", action]),
        }
    }

    fn url(&self, port: u16, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{port}/{database}")
    }

    /// Runs one statement on the standby (`pg_wal_replay_pause()` and the like).
    fn on_standby(&self, sql: &str) {
        psql(&self.url(self.standby_port, "postgres"), sql);
    }
}

impl Drop for StreamingPair {
    fn drop(&mut self) {
        for cluster in ["standby", "primary"] {
            let data = self.path(cluster);
            if std::path::Path::new(&data).join("postmaster.pid").exists() {
                self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
            }
        }
    }
}

/// Polls `probe` until it is true, for up to `within`.
fn eventually(within: Duration, what: &str, mut probe: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !probe() {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn replica_status(app: &TestApp) -> String {
    let ready = app.get("/ready").expect(200).json();
    ready["replicas"][0]["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn public_status(app: &TestApp, path: &str) -> u16 {
    app.client_get_with(path, &[]).status
}

/// Folio over the pair's primary, reading from its standby, once the standby is in rotation.
fn serve(
    pair: &StreamingPair,
    max_lag: Duration,
    configure: impl FnOnce(&mut folio::config::ServerSettings) + Send + 'static,
) -> TestApp {
    serve_reading_through(pair, pair.standby_port, max_lag, configure)
}

/// Like [`serve`], reaching the standby through `replica_port` (a relay to it).
fn serve_reading_through(
    pair: &StreamingPair,
    replica_port: u16,
    max_lag: Duration,
    configure: impl FnOnce(&mut folio::config::ServerSettings) + Send + 'static,
) -> TestApp {
    psql(
        &pair.url(pair.primary_port, "postgres"),
        "CREATE DATABASE folio",
    );
    let replica = pair.url(replica_port, "folio");
    let app = TestApp::spawn_over(
        TestDb::existing_postgres(pair.url(pair.primary_port, "folio")),
        move |db| {
            db.with_replicas(&[replica], 4, max_lag)
                .expect("a replica of a PostgreSQL primary")
        },
        configure,
    );
    eventually(
        Duration::from_secs(10),
        "the replica entering rotation",
        || replica_status(&app) == "in_rotation",
    );
    app
}

#[test]
#[cfg_attr(
    not(folio_part_postgres_server),
    ignore = "the PostgreSQL server binaries are not installed (apt-get install postgresql)"
)]
fn public_reads_go_to_a_replica_and_writers_read_their_writes() {
    let pair = StreamingPair::start();
    let max_lag = Duration::from_secs(3);
    let app = serve(&pair, max_lag, |_| {});
    let ready = app.get("/ready").expect(200).json();
    assert_eq!(
        ready["replicas"][0]["name"],
        json!(format!("127.0.0.1:{}/folio", pair.standby_port))
    );

    // Replayed at once: the public reads a new article from the replica.
    app.article(json!({"title": "Premier", "slug": "premier", "body": "x", "status": "published", "published_at": "2024-11-27T09:00:00Z"}));
    eventually(
        Duration::from_secs(2),
        "the replica replaying the article",
        || public_status(&app, "/v1/articles/premier") == 200,
    );

    // With replay paused, the replica still serves (it is within the allowed lag)
    // and does not have the next article; the writer reads it from the primary.
    pair.on_standby("SELECT pg_wal_replay_pause()");
    app.article(json!({"title": "Second", "slug": "second", "body": "x", "status": "published", "published_at": "2024-11-27T10:00:00Z"}));
    let written = Instant::now();
    assert_eq!(public_status(&app, "/v1/articles/second"), 404);
    app.preview("/v1/articles/second").expect(200);
    let list: Value = app.preview("/v1/articles?per_page=5").expect(200).json();
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));
    assert!(
        written.elapsed() < max_lag,
        "the checks above took longer than the allowed lag"
    );

    // Past the allowed lag the replica leaves the rotation: reads go to the primary.
    eventually(max_lag * 2, "the lagging replica leaving rotation", || {
        replica_status(&app) == "lagging"
    });
    assert_eq!(public_status(&app, "/v1/articles/second"), 200);

    // Caught up, it comes back.
    pair.on_standby("SELECT pg_wal_replay_resume()");
    eventually(Duration::from_secs(5), "the replica coming back", || {
        replica_status(&app) == "in_rotation"
    });
    assert_eq!(public_status(&app, "/v1/articles/second"), 200);

    // Stopped, it is reported unreachable and nobody notices otherwise.
    pair.pg_ctl("standby", "stop");
    for _ in 0..5 {
        assert_eq!(public_status(&app, "/v1/articles/premier"), 200);
    }
    eventually(
        Duration::from_secs(10),
        "the stopped replica reported",
        || replica_status(&app) == "unreachable",
    );
    let ready = app.get("/ready").expect(200).json();
    assert_eq!(ready["status"], "ready");
    assert!(ready["replicas"][0]["detail"].is_string(), "{ready}");
    assert_eq!(public_status(&app, "/v1/articles?per_page=1"), 200);
}

#[test]
#[cfg_attr(
    not(folio_part_postgres_server),
    ignore = "the PostgreSQL server binaries are not installed (apt-get install postgresql)"
)]
fn the_response_cache_is_not_refilled_from_a_replica_behind_a_change() {
    let pair = StreamingPair::start();
    let max_lag = Duration::from_secs(2);
    let app = serve(&pair, max_lag, |settings| {
        settings.caching.response_cache_mb = 8;
    });
    let titles = |app: &TestApp| -> Vec<String> {
        let list = app
            .get("/v1/articles?per_page=10&fields=slug")
            .expect(200)
            .json();
        crate::common::slugs(&list)
    };
    app.article(json!({"title": "Avant", "slug": "avant", "body": "x", "status": "published", "published_at": "2024-11-27T09:00:00Z"}));
    eventually(
        Duration::from_secs(2),
        "the list through the replica",
        || titles(&app) == ["avant"],
    );
    // A change the replica has not replayed: the node must neither keep serving
    // its cached list for long nor cache the replica's stale one in its place.
    pair.on_standby("SELECT pg_wal_replay_pause()");
    let published = Instant::now();
    app.article(json!({"title": "Après", "slug": "apres", "body": "x", "status": "published", "published_at": "2024-11-27T10:00:00Z"}));
    let write_took = published.elapsed();
    assert!(
        write_took < max_lag / 2,
        "a write waited {write_took:?} for a paused replica"
    );
    eventually(
        max_lag * 2 + Duration::from_secs(2),
        "the new article in the public list",
        || titles(&app) == ["apres", "avant"],
    );
    let took = published.elapsed();
    for _ in 0..20 {
        assert_eq!(titles(&app), ["apres", "avant"], "a stale list came back");
        std::thread::sleep(Duration::from_millis(25));
    }
    eprintln!("public list fresh {took:?} after the write, with the replica paused");
    pair.on_standby("SELECT pg_wal_replay_resume()");
}

#[test]
#[cfg_attr(
    not(folio_part_postgres_server),
    ignore = "the PostgreSQL server binaries are not installed (apt-get install postgresql)"
)]
fn a_replica_lost_in_the_middle_of_a_read_hands_the_read_to_the_primary() {
    let pair = StreamingPair::start();
    let relay = CuttingRelay::start(pair.standby_port);
    let app = serve_reading_through(&pair, relay.port, Duration::from_secs(3), |_| {});
    app.article(json!({"title": "Premier", "slug": "premier", "body": "x", "status": "published", "published_at": "2024-11-27T09:00:00Z"}));
    eventually(
        Duration::from_secs(2),
        "the replica replaying the article",
        || public_status(&app, "/v1/articles/premier") == 200,
    );

    // From now on the standby's connections pass their checkout check and the
    // lag measurements, and die as soon as a read of articles goes through them.
    relay.arm();
    let mut reads = 0;
    while relay.cuts() == 0 {
        assert!(reads < 50, "no read went to the replica in {reads} tries");
        assert_eq!(
            public_status(&app, "/v1/articles/premier"),
            200,
            "a read whose replica was lost under it"
        );
        reads += 1;
    }
    assert_eq!(public_status(&app, "/v1/articles?per_page=1"), 200);
}

/// A TCP relay to a server that, once armed, cuts every connection carrying SQL
/// that names `articles`, before the server sees it: a replica lost in the middle
/// of a read (its connection passed the pool's checkout check a moment before).
struct CuttingRelay {
    port: u16,
    armed: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl CuttingRelay {
    fn start(target_port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the relay");
        let relay = Self {
            port: listener.local_addr().expect("the relay's address").port(),
            armed: Arc::default(),
            cuts: Arc::default(),
            open: Arc::default(),
        };
        let (armed, cuts, open) = (relay.armed.clone(), relay.cuts.clone(), relay.open.clone());
        // Runs until the test process ends, like the clients it serves.
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    continue;
                };
                if let Ok(kept) = client.try_clone() {
                    open.lock().expect("relay connections").push(kept);
                }
                let (armed, cuts) = (armed.clone(), cuts.clone());
                std::thread::spawn(move || relay_queries(client, server, &armed, &cuts));
            }
        });
        relay
    }

    /// Closes the connections open now (the pool replaces them) and cuts the
    /// next ones at their first read of articles.
    fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
        for conn in self.open.lock().expect("relay connections").drain(..) {
            let _ = conn.shutdown(Shutdown::Both);
        }
    }

    fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

/// Copies the client's messages to the server and the answers back, until either
/// side closes or an armed relay sees SQL naming `articles`.
fn relay_queries(
    mut client: TcpStream,
    mut server: TcpStream,
    armed: &AtomicBool,
    cuts: &AtomicUsize,
) {
    let (Ok(mut answers_from), Ok(mut answers_to)) = (server.try_clone(), client.try_clone())
    else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut answers_from, &mut answers_to);
        let _ = answers_to.shutdown(Shutdown::Both);
    });
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let read = match client.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let message = &chunk[..read];
        if armed.load(Ordering::SeqCst) && message.windows(8).any(|w| w == b"articles") {
            cuts.fetch_add(1, Ordering::SeqCst);
            break;
        }
        if server.write_all(message).is_err() {
            break;
        }
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}
