//! Where asset files live and what bounds their processing: an S3-compatible
//! store (moto's server, started here), nodes sharing one store, and the
//! server's limits.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use folio::assets::StoreLocation;
use reqwest::Method;
use serde_json::json;

use super::{dimensions, fetch, jpeg, upload, uploaded};
use crate::common::{free_port, TestApp, TestDb};

/// moto's S3-compatible server on a free port, with one empty bucket.
struct S3Server {
    child: Child,
    endpoint: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

const BUCKET: &str = "folio-media";

impl S3Server {
    /// moto's server on a free port with the bucket made; the tests that start one
    /// are ignored where it is not installed (see `build.rs`).
    fn start() -> Self {
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::blocking::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        // Creating the bucket is also the readiness check.
        loop {
            let made = client.put(format!("{}/{BUCKET}", server.endpoint)).send();
            if made.as_ref().is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start: {made:?}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn location(&self) -> StoreLocation {
        let option = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        StoreLocation::S3 {
            url: format!("s3://{BUCKET}/newsroom"),
            options: vec![
                option("endpoint", &self.endpoint),
                option("allow_http", "true"),
                option("region", "us-east-1"),
                option("access_key_id", "folio"),
                option("secret_access_key", "secret"),
            ],
        }
    }

    /// The keys the bucket holds under `prefix`, read with S3's own listing.
    fn keys(&self, prefix: &str) -> Vec<String> {
        let listing = reqwest::blocking::get(format!(
            "{}/{BUCKET}?list-type=2&prefix={prefix}",
            self.endpoint
        ))
        .and_then(|r| r.text())
        .expect("list the bucket");
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

fn files_live_in_an_s3_bucket(db: TestDb) {
    let s3 = S3Server::start();
    let location = s3.location();
    let app = TestApp::spawn_with(db, move |s| s.assets.store = location);
    let photo = jpeg(1600, 1000);
    let asset = uploaded(&app, photo.clone(), "image/jpeg", "?alt=Astana");
    let id = asset["id"].as_str().expect("an id");
    assert_eq!(
        s3.keys("newsroom/"),
        vec![format!("newsroom/{id}/original")]
    );

    let file = fetch(&app, asset["url"].as_str().expect("a url"), &[]);
    assert_eq!(file.bytes, photo);
    let small = asset["presets"]["small"]["url"].as_str().expect("a url");
    let copy = fetch(&app, small, &[("accept", "image/webp")]);
    assert_eq!((copy.status, dimensions(&copy.bytes)), (200, (480, 300)));
    let keys = s3.keys(&format!("newsroom/{id}/variants/"));
    assert_eq!(keys.len(), 1, "the copy is kept in the bucket: {keys:?}");

    let article = app
        .article(json!({"title": "Astana", "body": "Texte.", "cover": id, "status": "published"}));
    assert_eq!(article["cover"]["id"], id);

    let deleted = app.request(
        Method::DELETE,
        &format!("/v1/assets/{id}?force=true"),
        Some(&app.write_token),
        None,
    );
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert!(
        s3.keys("newsroom/").is_empty(),
        "the file and its copies are gone"
    );
}

#[test]
#[cfg_attr(
    not(folio_part_moto),
    ignore = "moto_server is not installed (pip install -r tests/requirements.txt)"
)]
fn files_live_in_an_s3_bucket_with_sqlite() {
    files_live_in_an_s3_bucket(TestDb::sqlite());
}

#[test]
#[cfg_attr(
    not(all(folio_postgres_tests, folio_part_moto)),
    ignore = "needs FOLIO_TEST_POSTGRES_URL and moto_server (pip install -r tests/requirements.txt)"
)]
fn files_live_in_an_s3_bucket_with_postgres() {
    files_live_in_an_s3_bucket(TestDb::postgres().expect("FOLIO_TEST_POSTGRES_URL is set"));
}

#[test]
fn nodes_sharing_a_database_and_a_store_serve_each_others_uploads() {
    let first = TestApp::spawn(TestDb::sqlite());
    let second = first.another_node();
    let asset = uploaded(&first, jpeg(800, 600), "image/jpeg", "");
    let id = asset["id"].as_str().expect("an id");
    let copy = second.send_bytes(
        Method::GET,
        &format!("/v1/assets/{id}/small?format=png"),
        None,
        None,
        &[],
    );
    assert_eq!((copy.status, dimensions(&copy.bytes)), (200, (480, 360)));
}

#[test]
fn uploads_and_sizes_keep_to_the_settings() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |s| {
        s.assets.max_bytes = 50_000;
        s.assets.arbitrary_sizes = true;
    });
    let big = jpeg(1500, 1500);
    assert!(big.len() > 50_000);
    let refused = upload(&app, big.clone(), "image/jpeg", "");
    assert_eq!(
        refused.status,
        413,
        "{}",
        String::from_utf8_lossy(&refused.bytes)
    );
    let part = reqwest::blocking::multipart::Part::bytes(big).file_name("big.jpg");
    let form = reqwest::blocking::multipart::Form::new().part("file", part);
    assert_eq!(app.post_form("/v1/assets", form).status, 413);

    let asset = uploaded(&app, jpeg(600, 400), "image/jpeg", "");
    let id = asset["id"].as_str().expect("an id");
    let sized = app.send_bytes(
        Method::GET,
        &format!("/v1/assets/{id}/resize?w=150&h=150&format=png"),
        None,
        None,
        &[],
    );
    assert_eq!((sized.status, dimensions(&sized.bytes)), (200, (150, 150)));
    let wide = app.send_bytes(
        Method::GET,
        &format!("/v1/assets/{id}/resize?w=300&format=jpeg&q=40"),
        None,
        None,
        &[],
    );
    assert_eq!(dimensions(&wide.bytes), (300, 200));
    app.get(&format!("/v1/assets/{id}/resize?w=5000"))
        .expect(422);
    app.get(&format!("/v1/assets/{id}/resize?fit=cover"))
        .expect(422);
}

#[test]
fn a_transform_storm_is_turned_away_not_queued_for_ever() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |s| {
        s.assets.transforms = 1;
        s.assets.transform_wait = Duration::ZERO;
    });
    let asset = uploaded(&app, jpeg(2400, 1600), "image/jpeg", "");
    let id = asset["id"].as_str().expect("an id").to_owned();
    app.article(json!({"title": "Pendant l’orage", "body": "Texte.", "status": "published"}));
    let app = std::sync::Arc::new(app);
    let storm: Vec<_> = (0..8)
        .map(|i| {
            let (app, id) = (app.clone(), id.clone());
            std::thread::spawn(move || {
                let preset = ["large", "medium", "social", "thumb"][i % 4];
                // Eight different copies: one making each.
                let format = ["webp", "jpeg"][i / 4];
                let path = format!("/v1/assets/{id}/{preset}?format={format}&v={i}");
                app.send_bytes(Method::GET, &path, None, None, &[])
            })
        })
        .collect();
    // Reads go on while the images are being made.
    app.get("/v1/articles").expect(200);
    let answers: Vec<_> = storm
        .into_iter()
        .map(|t| t.join().expect("a request"))
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "{statuses:?}");
    let busy = answers
        .iter()
        .find(|a| a.status == 503)
        .expect("some were turned away");
    assert!(busy.header("retry-after").is_some());

    // Operators see it: refusals, and the time each piece of work took.
    let metrics = app.get("/metrics").expect(200).text;
    let value = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} missing from {metrics}"))
    };
    let refused = statuses.iter().filter(|s| **s == 503).count() as f64;
    assert_eq!(value("folio_asset_transforms_refused_total"), refused);
    let made = statuses.iter().filter(|s| **s == 200).count() as f64;
    // The upload's probe was work too.
    assert_eq!(value("folio_asset_transform_seconds_count"), made + 1.0);
    assert_eq!(value("folio_asset_transforms_waiting"), 0.0);
}

/// A copy that takes longer than a request may wait (`FOLIO_ASSET_TRANSFORM_TIME`)
/// answers 503 with `Retry-After`, and is finished and stored all the same: the
/// retry finds it without making it again.
#[test]
fn a_slow_copy_is_finished_for_the_retry() {
    let app = TestApp::spawn_with(TestDb::sqlite(), |s| {
        s.assets.transform_time = Duration::ZERO;
    });
    let asset = uploaded(&app, jpeg(2400, 1600), "image/jpeg", "");
    let path = format!(
        "/v1/assets/{}/large?format=webp",
        asset["id"].as_str().expect("an id")
    );
    let first = app.send_bytes(Method::GET, &path, None, None, &[]);
    assert_eq!(
        first.status,
        503,
        "{}",
        String::from_utf8_lossy(&first.bytes)
    );
    assert!(first.header("retry-after").is_some());
    let deadline = Instant::now() + Duration::from_secs(30);
    let copy = loop {
        let answer = app.send_bytes(Method::GET, &path, None, None, &[]);
        if answer.status == 200 || Instant::now() > deadline {
            break answer;
        }
        assert_eq!(answer.status, 503);
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!((copy.status, dimensions(&copy.bytes)), (200, (1600, 1067)));
    // The upload's probe and one copy: the retries found it in the store.
    let metrics = app.get("/metrics").expect(200).text;
    let made = metrics.lines().find_map(|l| {
        l.strip_prefix("folio_asset_transform_seconds_count")?
            .trim()
            .parse::<f64>()
            .ok()
    });
    assert_eq!(made, Some(2.0), "{metrics}");
}
