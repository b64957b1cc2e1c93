//! Test helpers: a real Folio over a fresh database, spoken to over HTTP.

pub mod html;

use std::net::TcpListener;
use std::process::Command;

use folio::assets::{AssetSettings, StoreLocation};
use folio::auth::{generate_token, Scope};
use folio::caching::purge::PurgeTargets;
use folio::caching::CachePolicy;
use folio::config::{CorsPolicy, Limits, Origins, ServerSettings};
use folio::db::{tokens, Database};
use folio::rate_limit::RateLimits;
use folio::readiness::Readiness;
use folio::site::Site;
use folio::webhooks::{AllowedHosts, WebhookSettings};
use reqwest::blocking::Client;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

mod db;

pub use db::{psql, TestDb};

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Every `Vary` header's names, lowercase, joined by commas.
    pub fn vary(&self) -> String {
        vary(&self.headers)
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }
}

/// The names all `Vary` headers of `headers` list, lowercase, joined by commas.
pub fn vary(headers: &HeaderMap) -> String {
    let names: Vec<String> = headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .collect();
    names.join(", ")
}

/// A response whose body is kept as bytes (an image).
pub struct BytesResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl BytesResponse {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// A running Folio with its own database, a `read` and a `write` token.
pub struct TestApp {
    pub base: String,
    /// Where this server (and any other node over its database) keeps asset files.
    pub assets: StoreLocation,
    pub db: Database,
    pub test_db: TestDb,
    pub read_token: String,
    pub write_token: String,
    pub admin_token: String,
    client: Client,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    pub fn spawn(test_db: TestDb) -> Self {
        Self::spawn_with(test_db, |_| {})
    }

    /// A server whose settings `configure` adjusts first (rate limits are off
    /// unless it sets them).
    pub fn spawn_with(
        test_db: TestDb,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> Self {
        Self::spawn_over(test_db, |db| db, configure)
    }

    /// A server over `test_db` opened as `open` adjusts it (read replicas, say).
    pub fn spawn_over(
        test_db: TestDb,
        open: impl FnOnce(Database) -> Database,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> Self {
        let db = open(test_db.open());
        let read_token = Self::token(&db, "reader", Scope::Read);
        let write_token = Self::token(&db, "editor", Scope::Write);
        let admin_token = Self::token(&db, "admin", Scope::Admin);
        let assets = StoreLocation::Local(
            std::env::temp_dir().join(format!("folio-test-assets-{}", uuid::Uuid::new_v4())),
        );
        let (base, handle) = Self::start(db.clone(), assets.clone(), configure);
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client");
        Self {
            base,
            assets,
            db,
            test_db,
            read_token,
            write_token,
            admin_token,
            client,
            handle,
        }
    }

    /// Another API node over the same database, with the same tokens.
    pub fn another_node(&self) -> Self {
        self.another_node_with(|_| {})
    }

    /// Another node, whose settings `configure` adjusts as for `spawn_with`.
    pub fn another_node_with(
        &self,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> Self {
        let test_db = self.test_db.shared();
        let db = test_db.open();
        let (base, handle) = Self::start(db.clone(), self.assets.clone(), configure);
        Self {
            base,
            assets: self.assets.clone(),
            db,
            test_db,
            read_token: self.read_token.clone(),
            write_token: self.write_token.clone(),
            admin_token: self.admin_token.clone(),
            client: self.client.clone(),
            handle,
        }
    }

    /// Starts a server over `db` on a free port: its address and handle.
    fn start(
        db: Database,
        assets: StoreLocation,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> (String, actix_web::dev::ServerHandle) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("local address").port();
        let (tx, rx) = std::sync::mpsc::channel();
        let server_db = db;
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let limits = Limits {
                    max_body_bytes: 200_000,
                    max_request_bytes: 1_000_000,
                    ..Limits::default()
                };
                // Date-only filters are read in Paris, as a French newsroom would set it.
                let mut settings = ServerSettings {
                    limits,
                    timezone: chrono_tz::Europe::Paris,
                    cors: CorsPolicy {
                        read: Origins::Any,
                        write: Origins::Only(vec!["https://newsroom.example.org".into()]),
                    },
                    shutdown_grace_seconds: 1,
                    rate_limits: RateLimits {
                        anonymous: 0,
                        token: 0,
                        ..RateLimits::default()
                    },
                    // Test receivers listen on loopback; retries come quickly.
                    webhooks: WebhookSettings {
                        allowed_hosts: AllowedHosts::parse("127.0.0.1").ok(),
                        timeout: std::time::Duration::from_secs(5),
                        retry_delays: vec![std::time::Duration::from_secs(1); 3],
                    },
                    caching: CachePolicy::default(),
                    purge_targets: PurgeTargets::default(),
                    site: Site {
                        url: Some("https://news.example".into()),
                        zone: chrono_tz::Europe::Paris,
                        assets_url: Some(format!("http://127.0.0.1:{port}/v1/assets")),
                        ..Site::default()
                    },
                    metrics_token: None,
                    assets: AssetSettings {
                        store: assets,
                        ..AssetSettings::default()
                    },
                };
                configure(&mut settings);
                let server =
                    folio::startup::serve(listener, server_db, settings, Readiness::ready())
                        .expect("start the server");
                tx.send(server.handle())
                    .expect("hand over the server handle");
                server.await.expect("server ran");
            });
        });
        let handle = rx.recv().expect("server started");
        (format!("http://127.0.0.1:{port}"), handle)
    }

    fn token(db: &Database, name: &str, scope: Scope) -> String {
        let (token, hash) = generate_token();
        let mut conn = db.get().expect("connection");
        tokens::create(
            &mut conn,
            (name, scope.as_str(), &hash),
            None,
            "test set-up",
        )
        .expect("create token");
        token
    }

    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        self.request_with(method, path, token, body, &[])
    }

    /// A request with extra headers.
    pub fn request_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().expect("request sent");
        Response {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            text: res.text().expect("response body"),
        }
    }

    /// A request whose body is `bytes` as `content_type`, answered with the bytes it returned.
    pub fn send_bytes(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<(Vec<u8>, &str)>,
        headers: &[(&str, &str)],
    ) -> BytesResponse {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some((bytes, content_type)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().expect("request sent");
        BytesResponse {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            bytes: res.bytes().expect("response body").to_vec(),
        }
    }

    /// A `multipart/form-data` POST with the write token.
    pub fn post_form(&self, path: &str, form: reqwest::blocking::multipart::Form) -> Response {
        let res = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(&self.write_token)
            .multipart(form)
            .send()
            .expect("request sent");
        Response {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            text: res.text().expect("response body"),
        }
    }

    /// A public GET with extra headers.
    pub fn client_get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.request_with(Method::GET, path, None, None, headers)
    }

    /// A public (anonymous) GET.
    pub fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None, None)
    }

    /// A GET with the read token (preview).
    pub fn preview(&self, path: &str) -> Response {
        self.request(Method::GET, path, Some(&self.read_token), None)
    }

    pub fn post(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(&self.write_token), Some(&body))
    }

    pub fn patch(&self, path: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(&self.write_token), Some(&body))
    }

    pub fn delete(&self, path: &str) -> Response {
        self.request(Method::DELETE, path, Some(&self.write_token), None)
    }

    /// Runs the `folio` binary against this app's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(args)
            .env("DATABASE_URL", &self.test_db.url)
            .env("FOLIO_TIMEZONE", "Europe/Paris")
            .env("RUST_LOG", "warn")
            .env_remove("FOLIO_BIND")
            .output()
            .expect("run folio")
    }

    /// Creates an article through the API and returns its JSON.
    pub fn article(&self, body: Value) -> Value {
        self.post("/v1/articles", body).expect(201).json()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server so its pool closes before the database is dropped.
        let handle = self.handle.clone();
        std::thread::spawn(move || actix_web::rt::System::new().block_on(handle.stop(false)))
            .join()
            .ok();
    }
}

/// Declares each listed test function (taking `&TestApp`) once per backend:
/// `sqlite::name` always, `postgres::name` when the PostgreSQL URL was set at build
/// time (otherwise it is listed as ignored, and fails if the server is unreachable).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let app = $crate::common::TestApp::spawn($crate::common::TestDb::sqlite());
                    super::$name(&app);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                #[cfg_attr(not(folio_postgres_tests), ignore = "FOLIO_TEST_POSTGRES_URL is not set")]
                fn $name() {
                    let db = $crate::common::TestDb::postgres()
                        .expect("FOLIO_TEST_POSTGRES_URL is set when this test is built");
                    let app = $crate::common::TestApp::spawn(db);
                    super::$name(&app);
                }
            )*
        }
    };
}

/// A port free at the moment of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Percent-encodes every byte but the unreserved ones, for query strings.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The slugs of a list response, in order.
pub fn slugs(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data array: {list}"))
        .iter()
        .map(|a| a["slug"].as_str().expect("slug").to_owned())
        .collect()
}

/// Publishes an article whose slug and title are `slug`, with `extra` fields merged in.
pub fn published(app: &TestApp, slug: &str, at: &str, extra: Value) {
    let mut body = serde_json::json!({"title": slug, "slug": slug, "body": "x", "status": "published", "published_at": at});
    if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
        body.extend(extra);
    }
    app.article(body);
}
