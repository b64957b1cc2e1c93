//! A real Varnish, started by the test with the VCL Folio ships
//! (`deploy/varnish/folio.vcl`), in front of a real Folio that purges it. The
//! tests that start one are ignored where `varnishd` is not installed (see
//! `build.rs`).

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

impl Varnish {
    /// Varnish on `port` in front of Folio on `backend_port`, ready to answer.
    pub fn start(port: u16, backend_port: u16) -> Self {
        Self::balancing(port, &[backend_port])
    }

    /// Varnish on `port` sharing requests among the Folio nodes on `backend_ports`,
    /// as the shipped VCL does once a backend is declared for each node.
    pub fn balancing(port: u16, backend_ports: &[u16]) -> Self {
        let vcl = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/deploy/varnish/folio.vcl"
        ))
        .expect("read the shipped VCL");
        let (backend, member) = (".port = \"8080\";", "nodes.add_backend(folio);");
        assert!(
            vcl.contains(backend) && vcl.contains(member),
            "the VCL names its backend port and adds its backend to the director"
        );
        let (first, others) = backend_ports.split_first().expect("a Folio node");
        let mut vcl = vcl.replace(backend, &format!(".port = \"{first}\";"));
        for (n, other) in others.iter().enumerate() {
            let name = format!("folio_{}", n + 2);
            vcl = vcl.replace(
                "sub vcl_init {",
                &format!(
                    "backend {name} {{ .host = \"127.0.0.1\"; .port = \"{other}\"; .probe = ready; }}\n\nsub vcl_init {{"
                ),
            );
            vcl = vcl.replace(member, &format!("{member}\n    nodes.add_backend({name});"));
        }
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

    /// Any request through the cache, with a token when given: its status and JSON body.
    pub fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().expect("a request through Varnish");
        let status = response.status().as_u16();
        (status, response.json().unwrap_or_default())
    }

    /// A public GET through the cache as a client that takes no compression: its ETag.
    pub fn etag(&self, path: &str) -> String {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .expect("GET through Varnish");
        assert_eq!(response.status(), 200, "{path} through Varnish");
        response.headers()["etag"]
            .to_str()
            .expect("an ETag in ASCII")
            .to_owned()
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
