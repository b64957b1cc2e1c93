//! The receiving end: `tests/webhooks/receiver.py`, which verifies every message
//! with the Standard Webhooks reference library (PyPI `standardwebhooks`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The Python receiver, on a free loopback port; killed when dropped.
pub struct Receiver {
    child: Child,
    base: String,
    client: reqwest::blocking::Client,
}

impl Receiver {
    pub fn start() -> Self {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/receiver.py");
        let mut child = Command::new("python3")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the receiver (python3 with the standardwebhooks package)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the receiver's port");
        let port = line
            .strip_prefix("PORT ")
            .unwrap_or_else(|| {
                panic!("the receiver did not start (is `standardwebhooks` installed?): {line:?}")
            })
            .trim()
            .to_owned();
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::blocking::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn control(&self, path: &str, body: Value) {
        let res = self
            .client
            .post(self.url(path))
            .json(&body)
            .send()
            .expect("the receiver answers");
        assert_eq!(res.status().as_u16(), 204);
    }

    pub fn set_secret(&self, path: &str, secret: &str) {
        self.control("/__secret", json!({"path": path, "secret": secret}));
    }

    /// The first `times` attempts of each message get a 500.
    pub fn fail_first(&self, times: u32) {
        self.control("/__fail", json!({"times": times}));
    }

    pub fn received(&self) -> Value {
        self.client
            .get(self.url("/__received"))
            .send()
            .expect("the receiver answers")
            .json()
            .expect("JSON")
    }

    /// The messages accepted at `path`, in order of arrival.
    pub fn accepted(&self, path: &str) -> Vec<Value> {
        self.received()["accepted"]
            .as_array()
            .expect("accepted")
            .iter()
            .filter(|m| m["path"] == path)
            .cloned()
            .collect()
    }

    /// Waits until `path` has accepted every message in `ids`.
    pub fn wait_for(&self, path: &str, ids: &BTreeSet<String>, within: Duration) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let accepted = self.accepted(path);
            let got: BTreeSet<String> = accepted
                .iter()
                .map(|m| m["id"].as_str().expect("id").to_owned())
                .collect();
            if ids.is_subset(&got) {
                return accepted;
            }
            assert!(
                start.elapsed() < within,
                "{path} still lacks {:?} after {within:?}",
                ids.difference(&got).collect::<Vec<_>>()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
