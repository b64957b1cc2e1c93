//! Building the HTTP server: routes, middleware and shared state.

use std::net::TcpListener;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive};
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, ServiceFactory, ServiceRequest};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpResponse};
use tokio::net::TcpStream;
use utoipa_actix_web::{scope, AppExt, UtoipaApp};
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, health};
use crate::caching::response_cache::{self, ResponseCache};
use crate::config::ServerSettings;
use crate::db::articles::schedule;
use crate::db::{self, Database};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::middleware::{self as mw, RouteTable};
use crate::openapi;
use crate::rate_limit::RateLimiter;
use crate::readiness::Readiness;
use crate::request_head::{self, HeadGuard};

/// Every documented route, registered once for both the server and the spec.
fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(openapi::base())
        // Before the `/v1` scope, which would take `/v1` itself.
        .service(health::index)
        .service(health::api_index)
        .service(scope("/v1").configure(api::configure))
        .service(health::health)
        .service(health::ready)
        .service(crate::metrics::scrape)
        .configure(api::sitemaps::configure)
}

/// The OpenAPI document of the routes the server registers, as served at
/// `/openapi.json` and printed by `folio openapi`.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, api) = register(App::new().into_utoipa_app()).split_for_parts();
    openapi::finish(api)
}

/// The spec as pretty JSON with a final newline, the form committed under `openapi/`.
pub fn spec_json() -> Result<String, String> {
    let mut text = spec()
        .to_pretty_json()
        .map_err(|e| format!("cannot serialise the OpenAPI document: {e}"))?;
    text.push('\n');
    Ok(text)
}

fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest(format!("invalid query string: {err}")).into()
}

fn path_error(err: actix_web::error::PathError, _: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::NotFound(format!("invalid path: {err}")).into()
}

/// How often each node looks for scheduled articles whose time has come.
const SCHEDULE_TICK: Duration = Duration::from_secs(1);

/// Announces scheduled publications as they come due (see `db::articles::schedule`), for as
/// long as the server's runtime runs.
async fn announce_publications(db: web::Data<Database>, readiness: web::Data<Readiness>) {
    let mut tick = actix_rt::time::interval(SCHEDULE_TICK);
    loop {
        tick.tick().await;
        if !readiness.is_ready() {
            continue;
        }
        let announced = db
            .run(|conn| {
                if !schedule::any_due(conn)? {
                    return Ok(0);
                }
                db::write_tx(conn, schedule::announce_due)
            })
            .await;
        match announced {
            Ok(0) => {}
            Ok(n) => log::info!("{n} scheduled article(s) went live"),
            Err(e) => log::warn!("scheduled publications not announced: {e}"),
        }
    }
}

/// Measures the read replicas' lag for as long as the server runs (see `db::replicas`).
async fn measure_replicas(db: web::Data<Database>) {
    let mut tick = actix_rt::time::interval(crate::db::replicas::MEASURE_EVERY);
    loop {
        tick.tick().await;
        let measured = db.clone();
        if let Err(e) = web::block(move || measured.measure_replicas()).await {
            log::warn!("replica lag not measured: {e}");
        }
    }
}

/// Starts what each node runs beside answering requests, every one waiting for
/// the database to be ready: scheduled publications, replica lag, webhook
/// delivery, cache purges, and (when it is on) the response cache's follower of
/// the change log, whose cache it returns.
fn start_workers(
    db: &web::Data<Database>,
    readiness: &web::Data<Readiness>,
    settings: &ServerSettings,
) -> Option<web::Data<ResponseCache>> {
    actix_rt::spawn(announce_publications(db.clone(), readiness.clone()));
    if !db.replicas().is_empty() {
        actix_rt::spawn(measure_replicas(db.clone()));
    }
    actix_rt::spawn(crate::webhook_delivery::deliver_messages(
        db.clone(),
        readiness.clone(),
        settings.webhooks.clone(),
        settings.site.clone(),
    ));
    actix_rt::spawn(crate::caching::purge::purge_changes(
        db.clone(),
        readiness.clone(),
        settings.purge_targets.clone(),
        crate::db::now(),
    ));
    (settings.caching.response_cache_mb > 0).then(|| {
        let cache = web::Data::new(ResponseCache::new(
            settings.caching.response_cache_mb,
            settings.caching.response_cache_ttl,
        ));
        actix_rt::spawn(response_cache::follow_changes(
            cache.clone(),
            db.clone(),
            readiness.clone(),
        ));
        cache
    })
}

/// Starts serving on `listener` (bound by the caller, so tests can use port 0).
/// Call it inside an actix runtime: the publication scheduler runs on it.
pub fn serve(
    listener: TcpListener,
    db: Database,
    settings: ServerSettings,
    readiness: Readiness,
) -> std::io::Result<actix_web::dev::Server> {
    let spec = spec();
    let routes = web::Data::new(RouteTable::from_spec(&spec));
    let db = web::Data::new(db);
    let grace = settings.shutdown_grace_seconds;
    // Database work runs on each worker's blocking threads; more of them than pooled
    // connections only wait for one, and every extra thread costs the allocator an
    // arena that fragments under load.
    let blocking_threads = db.pool_size() as usize;
    // One limiter for all workers: the counts are per process.
    let limiter = web::Data::from(RateLimiter::shared(settings.rate_limits.clone()));
    let readiness = web::Data::new(readiness);
    // One gate for all workers: the bound is on the process's image work.
    let assets = web::Data::new(
        crate::assets::AssetServices::new(&settings.assets).map_err(std::io::Error::other)?,
    );
    let metrics = web::Data::new(
        Metrics::new(&db, &assets.gate, settings.metrics_token.clone())
            .map_err(|e| std::io::Error::other(format!("cannot set up the metrics: {e}")))?,
    );
    let response_cache = start_workers(&db, &readiness, &settings);
    let cache_policy = web::Data::new(settings.caching.clone());
    let settings = web::Data::new(settings);
    let app = move || {
        let (app, _) = register(App::new().into_utoipa_app()).split_for_parts();
        app.app_data(db.clone())
            .app_data(settings.clone())
            .app_data(cache_policy.clone())
            .app_data(routes.clone())
            .app_data(limiter.clone())
            .app_data(readiness.clone())
            .app_data(response_cache.clone())
            .app_data(metrics.clone())
            .app_data(assets.clone())
            .app_data(web::QueryConfig::default().error_handler(query_error))
            .app_data(web::PathConfig::default().error_handler(path_error))
            .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .default_service(web::to(mw::fallback))
            .wrap(from_fn(mw::until_ready))
            .wrap(from_fn(crate::rate_limit::rate_limit))
            .wrap(from_fn(crate::auth::authenticate))
            .wrap(mw::cors(settings.cors.clone()))
            .wrap(from_fn(mw::cors_refusal))
            .wrap(from_fn(crate::caching::cache_headers))
            .wrap(from_fn(mw::etag))
            .wrap(from_fn(response_cache::serve_from_cache))
            // Outside the ETag layer, which hashes the body as the handler wrote it.
            .wrap(Compress::default())
            .wrap(from_fn(mw::vary_on_encoding))
            .wrap(from_fn(mw::merge_repeated_parameters))
            .wrap(from_fn(request_head::request_size))
            .wrap(from_fn(mw::security_headers))
            .wrap(from_fn(mw::request_id))
            .wrap(from_fn(mw::access_log))
    };
    // What actix-web's `HttpServer` does, with one addition: each connection's
    // socket is wrapped in a `HeadGuard` before the HTTP parser reads from it.
    // (The app and the server are built here, in one function, because the app's
    // type is only named by this closure.)
    let local = listener.local_addr()?;
    let builder = actix_server::Server::build();
    let shutting_down = builder.graceful_shutdown_signal();
    let server = builder
        // On SIGTERM or SIGINT the server stops accepting, lets requests in flight
        // finish for up to `grace` seconds, then exits.
        .shutdown_timeout(grace)
        .worker_max_blocking_threads(blocking_threads)
        .listen("folio", listener, move || {
            let shutting_down = shutting_down.clone();
            let http = HttpService::build()
                .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
                .client_request_timeout(Duration::from_secs(5))
                .client_disconnect_timeout(Duration::from_secs(1))
                .h1_allow_half_closed(true)
                .local_addr(local)
                .graceful_shutdown_signal(move || {
                    let shutting_down = shutting_down.clone();
                    async move { shutting_down.notified().await }
                })
                .h1(map_config(app().into_factory(), |_| AppConfig::default()));
            fn_service(|stream: TcpStream| async move {
                let peer = stream.peer_addr().ok();
                Ok::<_, ()>((HeadGuard::new(stream, peer), peer))
            })
            .and_then(http.map_err(|_| ()).map_init_err(|_| ()))
        })?
        .run();
    Ok(server)
}
