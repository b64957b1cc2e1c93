//! `GET /metrics`: what this node is doing, in Prometheus' text format (the
//! `prometheus` crate), for one registry per server: requests by route template,
//! method and status with their latency; the database pools; rate-limit
//! refusals; image work (waiting, refused, time taken); and, read from the database when scraped, how far the change log's
//! followers are behind and how many webhook messages wait.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use prometheus::{
    HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::assets::gate::TransformGate;
use crate::db::{changes, webhooks, Database};
use crate::error::{ApiError, ApiResult};

/// Latency buckets from a cache hit (0.5 ms) to a request that times out.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The metrics of one server.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    rate_limited: IntCounter,
    pool_connections: IntGaugeVec,
    pool_waiting: IntGauge,
    changes_latest: IntGauge,
    change_log_lag: IntGaugeVec,
    webhook_messages: IntGaugeVec,
    /// `FOLIO_METRICS_TOKEN`: the bearer token scrapers must send, if any.
    token: Option<String>,
}

fn metric<T: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    made: prometheus::Result<T>,
) -> prometheus::Result<T> {
    let metric = made?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

impl Metrics {
    /// Registers every metric Folio exports. It is long because it is the
    /// catalogue: each metric's name, help and labels, read in one place.
    pub fn new(
        db: &Database,
        gate: &TransformGate,
        token: Option<String>,
    ) -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("folio".into()), None)?;
        let r = &registry;
        let metrics = Self {
            requests: metric(
                r,
                IntCounterVec::new(
                    Opts::new(
                        "http_requests_total",
                        "Requests answered, by route template, method and status",
                    ),
                    &["route", "method", "status"],
                ),
            )?,
            latency: metric(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "http_request_duration_seconds",
                        "Time to answer a request (to its first byte for a streamed one)",
                    )
                    .buckets(LATENCY_BUCKETS.to_vec()),
                    &["route", "method", "status"],
                ),
            )?,
            rate_limited: metric(
                r,
                IntCounter::new("rate_limited_total", "Requests refused by the rate limit"),
            )?,
            pool_connections: metric(
                r,
                IntGaugeVec::new(
                    Opts::new("db_pool_connections", "Database connections open, by state"),
                    &["database", "state"],
                ),
            )?,
            pool_waiting: metric(
                r,
                IntGauge::new(
                    "db_pool_waiting",
                    "Database work waiting for a connection of the primary's pool",
                ),
            )?,
            changes_latest: metric(
                r,
                IntGauge::new(
                    "changes_latest_seq",
                    "The newest change's number in the change log",
                ),
            )?,
            change_log_lag: metric(
                r,
                IntGaugeVec::new(
                    Opts::new(
                        "change_log_lag",
                        "Changes logged that a follower of the log has not handled yet",
                    ),
                    &["follower"],
                ),
            )?,
            webhook_messages: metric(
                r,
                IntGaugeVec::new(
                    Opts::new(
                        "webhook_messages",
                        "Webhook messages by state: waiting to be sent (`pending`), \
                         waiting after a failed attempt (`retrying`), given up (`failed`)",
                    ),
                    &["state"],
                ),
            )?,
            registry,
            token,
        };
        // The query time the database layer measures itself.
        metrics
            .registry
            .register(Box::new(db.work_seconds().clone()))?;
        // And the image work the transform gate measures.
        for collector in gate.collectors() {
            metrics.registry.register(collector)?;
        }
        Ok(metrics)
    }

    /// Counts one answered request. `route` is its template (`/v1/articles/{slug}`),
    /// or none when no route matched: raw paths would make a series per URL.
    /// Methods outside HTTP's registered few count as `other`: a label per invented
    /// method would let any client grow the metrics without bound.
    pub fn observe(&self, route: Option<&str>, method: &str, status: u16, took: Duration) {
        const KNOWN_METHODS: [&str; 9] = [
            "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
        ];
        let method = KNOWN_METHODS
            .into_iter()
            .find(|known| *known == method)
            .unwrap_or("other");
        let status = status.to_string();
        let labels = [route.unwrap_or("unmatched"), method, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency
            .with_label_values(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// Reads what is measured at scrape time, then writes every metric out.
    async fn render(&self, db: &Database) -> ApiResult<String> {
        for (database, open, idle) in db.pool_states() {
            self.pool_connections
                .with_label_values(&[database.as_str(), "idle"])
                .set(i64::from(idle));
            self.pool_connections
                .with_label_values(&[database.as_str(), "in_use"])
                .set(i64::from(open.saturating_sub(idle)));
        }
        self.pool_waiting.set(db.waiting());
        let (latest, fanned_out, counts) = db
            .run(|conn| {
                Ok((
                    changes::latest(conn)?,
                    webhooks::fanned_out_through(conn)?,
                    webhooks::message_counts(conn)?,
                ))
            })
            .await?;
        self.changes_latest.set(latest);
        self.change_log_lag
            .with_label_values(&["webhooks"])
            .set((latest - fanned_out).max(0));
        for (state, count) in [
            ("pending", counts.pending),
            ("retrying", counts.retrying),
            ("failed", counts.failed),
        ] {
            self.webhook_messages.with_label_values(&[state]).set(count);
        }
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .map_err(|e| ApiError::Internal(format!("cannot write the metrics: {e}")))
    }
}

/// Metrics
///
/// Prometheus' text format. With `FOLIO_METRICS_TOKEN` set, only for a bearer of that token.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The metrics, in Prometheus' text exposition format", body = String, content_type = "text/plain"),
        (status = 401, description = "`FOLIO_METRICS_TOKEN` is set and was not sent", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/metrics")]
pub async fn scrape(
    req: HttpRequest,
    db: web::Data<Database>,
    metrics: web::Data<Metrics>,
) -> ApiResult<HttpResponse> {
    if let Some(expected) = &metrics.token {
        let sent = crate::auth::bearer(&req).ok().flatten();
        let matches = sent.is_some_and(|sent| {
            use subtle::ConstantTimeEq;
            bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
        });
        if !matches {
            return Err(ApiError::Unauthorized(
                "the metrics need the token set in FOLIO_METRICS_TOKEN, as `Authorization: Bearer …`"
                    .into(),
            ));
        }
    }
    let text = metrics.render(&db).await?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}
