//! Stands in for Fastly's and Cloudflare's purge APIs, which cannot be reached
//! from here: records every request Folio sends, and can fail the first ones.

use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    received: Vec<Recorded>,
    /// Requests still to answer with 500.
    failures_left: usize,
}

pub struct Recorder {
    pub base: String,
    state: Arc<Mutex<State>>,
    handle: actix_web::dev::ServerHandle,
}

impl Recorder {
    /// Listens on loopback; the first `failures` requests get a 500.
    pub fn start(failures: usize) -> Self {
        let state = Arc::new(Mutex::new(State {
            failures_left: failures,
            ..State::default()
        }));
        let shared = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    let state = shared.clone();
                    App::new().default_service(web::to(move |req: HttpRequest, body: String| {
                        let state = state.clone();
                        async move {
                            let mut state = state.lock().expect("recorder state");
                            state.received.push(Recorded {
                                method: req.method().to_string(),
                                path: req.path().to_owned(),
                                headers: req
                                    .headers()
                                    .iter()
                                    .map(|(n, v)| {
                                        (n.to_string(), v.to_str().unwrap_or("").to_owned())
                                    })
                                    .collect(),
                                body,
                            });
                            if state.failures_left > 0 {
                                state.failures_left -= 1;
                                return HttpResponse::InternalServerError().finish();
                            }
                            HttpResponse::Ok()
                                .content_type("application/json")
                                .body(r#"{"status":"ok","success":true}"#)
                        }
                    }))
                })
                .workers(1)
                .bind("127.0.0.1:0")
                .expect("bind the recorder");
                let port = server.addrs()[0].port();
                let server = server.run();
                tx.send((port, server.handle())).expect("hand over");
                server.await.expect("recorder ran");
            });
        });
        let (port, handle) = rx.recv().expect("recorder started");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            state,
            handle,
        }
    }

    pub fn received(&self) -> Vec<Recorded> {
        self.state.lock().expect("recorder state").received.clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        std::thread::spawn(move || actix_web::rt::System::new().block_on(handle.stop(false)))
            .join()
            .ok();
    }
}
