//! The loop every node runs when purges are configured: whichever node holds the
//! lease sends the keys of new changes to every target, in batches, retrying a
//! batch until every target took it. Writes never wait for a purge.

use std::time::Duration;

use actix_web::web;

use super::PurgeTargets;
use crate::db::{self, now, purges, Database};
use crate::startup::Readiness;

/// How often a node looks for changes to purge: a published article reaches the
/// caches within about this long.
const TICK: Duration = Duration::from_millis(250);
/// Changes purged together at most.
const CHANGES_PER_BATCH: i64 = 500;
/// How long a node keeps the lease without renewing it.
const LEASE: Duration = Duration::from_secs(30);
/// Waits after failed attempts at one batch, the last one repeating.
const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(15),
    Duration::from_secs(60),
];
/// A purge request that takes longer has failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs for as long as the server does. `serving_since`: when the server was
/// started, before it took any request (see `purges::start`).
pub async fn purge_changes(
    db: web::Data<Database>,
    readiness: web::Data<Readiness>,
    targets: PurgeTargets,
    serving_since: chrono::NaiveDateTime,
) {
    if targets.is_empty() {
        return;
    }
    let client = match reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("Folio-Purge/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            log::error!("caches will not be purged: no HTTP client ({e})");
            return;
        }
    };
    let node = uuid::Uuid::new_v4().simple().to_string();
    let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::MAX);
    let mut started = false;
    let mut failures = 0usize;
    let mut tick = actix_rt::time::interval(TICK);
    loop {
        tick.tick().await;
        if !readiness.is_ready() {
            continue;
        }
        if !started {
            started = db
                .run(move |conn| purges::start(conn, serving_since))
                .await
                .is_ok();
            continue;
        }
        let node_id = node.clone();
        let replicas = db.replicas().clone();
        let claimed = db
            .run(move |conn| {
                if !purges::pending(conn)? {
                    return Ok(None);
                }
                let batch = db::write_tx(conn, |c| {
                    purges::claim(c, &node_id, now(), lease, CHANGES_PER_BATCH)
                })?;
                // A cache purged before a replica has the change would be
                // refilled from that replica with what the change replaced.
                if batch.is_some() {
                    replicas.wait_until_replayed(conn);
                }
                Ok(batch)
            })
            .await;
        let batch = match claimed {
            Ok(Some(batch)) => batch,
            Ok(None) => continue,
            Err(e) => {
                log::warn!("changes not read for purging: {e}");
                continue;
            }
        };
        let mut failed = Vec::new();
        for target in &targets.0 {
            if let Err(e) = target.purge(&client, &batch.keys).await {
                failed.push(e);
            }
        }
        if !failed.is_empty() {
            // The batch stays unpurged and is claimed again after the wait; a
            // target that did take it purges the same keys twice, which is harmless.
            let wait = RETRY_DELAYS[failures.min(RETRY_DELAYS.len() - 1)];
            failures += 1;
            log::warn!(
                "purge of {} key(s) failed ({}); trying again in {}s",
                batch.keys.len(),
                failed.join("; "),
                wait.as_secs()
            );
            actix_rt::time::sleep(wait).await;
            continue;
        }
        failures = 0;
        let node_id = node.clone();
        let through = batch.through;
        let recorded = db
            .write(move |conn| purges::done(conn, &node_id, now(), through))
            .await;
        match recorded {
            Ok(()) => log::debug!(
                "purged {} key(s) through change {through}",
                batch.keys.len()
            ),
            Err(e) => log::warn!("purge of changes through {through} not recorded: {e}"),
        }
    }
}
