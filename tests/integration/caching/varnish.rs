//! A real Varnish, started by the test with the VCL Folio ships
//! (`deploy/varnish/folio.vcl`), in front of a real Folio that purges it.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `varnishd` in the foreground, stopped when dropped.
pub struct Varnish {
    child: Child,
    _workdir: tempfile::TempDir,
    pub base: String,
    client: reqwest::blocking::Client,
}

/// Whether `varnishd` can be started here. Outside CI a machine without it skips
/// the Varnish tests with a note; in CI (`CI` set) its absence fails them.
pub fn available() -> bool {
    let found = Command::new("varnishd")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "varnishd is not installed (apt-get install varnish varnish-modules)"
        );
        eprintln!("skipped: varnishd is not installed (apt-get install varnish varnish-modules)");
    }
    found
}

impl Varnish {
    /// Varnish on `port` in front of Folio on `backend_port`, ready to answer.
    pub fn start(port: u16, backend_port: u16) -> Self {
        let vcl = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/varnish/folio.vcl"
        ))
        .expect("read the shipped VCL");
        let backend = ".port = \"8080\";";
        assert!(vcl.contains(backend), "the VCL names its backend port");
        let vcl = vcl.replace(backend, &format!(".port = \"{backend_port}\";"));
        let workdir = tempfile::tempdir().expect("a work directory");
        let vcl_path = workdir.path().join("folio.vcl");
        std::fs::write(&vcl_path, vcl).expect("write the VCL");
        let child = Command::new("varnishd")
            .arg("-F")
            .args(["-a", &format!("127.0.0.1:{port}")])
            .arg("-f")
            .arg(&vcl_path)
            .arg("-n")
            .arg(workdir.path().join("instance"))
            .args(["-s", "malloc,32m"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start varnishd");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "varnishd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            _workdir: workdir,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("HTTP client"),
        }
    }

    /// A public GET through the cache: whether Varnish answered from its cache, and the body.
    pub fn get(&self, path: &str) -> (bool, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .expect("GET through Varnish");
        assert_eq!(response.status(), 200, "{path} through Varnish");
        let hit = response
            .headers()
            .get("x-cache")
            .is_some_and(|v| v.as_bytes() == b"HIT");
        (hit, response.json().expect("JSON through Varnish"))
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
