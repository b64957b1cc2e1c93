//! The loop every node runs when purges are configured: whichever node holds the
//! lease sends the keys of new changes to every target, in batches, retrying a
//! batch until every target took it. Writes never wait for a purge.

use std::time::{Duration, Instant};

use actix_web::web;

use super::{PurgeTargets, Target};
use crate::db::{self, now, purges, Database};
use crate::readiness::Readiness;

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
    let names: Vec<String> = targets.0.iter().map(Target::name).collect();
    // Per target: failed attempts in a row, and when to try again.
    let mut failures = vec![0usize; targets.0.len()];
    let mut retry_at: Vec<Option<Instant>> = vec![None; targets.0.len()];
    let mut started = false;
    let mut tick = actix_rt::time::interval(TICK);
    loop {
        tick.tick().await;
        if !readiness.is_ready() {
            continue;
        }
        if !started {
            let names = names.clone();
            started = db
                .run(move |conn| purges::start(conn, serving_since, &names))
                .await
                .is_ok();
            continue;
        }
        // Each target at its own pace: one that fails waits out its retry delay
        // while the others carry on.
        for (index, target) in targets.0.iter().enumerate() {
            if retry_at[index].is_some_and(|at| Instant::now() < at) {
                continue;
            }
            let Some(batch) = claim(&db, &node, &names[index], lease).await else {
                continue;
            };
            if let Err(e) = target.purge(&client, &batch.keys).await {
                // The batch stays unpurged for this target and is claimed again
                // after the wait; keys purged twice are harmless.
                let wait = RETRY_DELAYS[failures[index].min(RETRY_DELAYS.len() - 1)];
                failures[index] += 1;
                retry_at[index] = Some(Instant::now() + wait);
                log::warn!(
                    "purge of {} key(s) failed ({e}); trying again in {}s",
                    batch.keys.len(),
                    wait.as_secs()
                );
                continue;
            }
            failures[index] = 0;
            retry_at[index] = None;
            let (node_id, name, through) = (node.clone(), names[index].clone(), batch.through);
            let recorded = db
                .write(move |conn| purges::done(conn, &node_id, now(), (&name, through)))
                .await;
            match recorded {
                Ok(()) => log::debug!(
                    "{}: purged {} key(s) through change {through}",
                    names[index],
                    batch.keys.len()
                ),
                Err(e) => log::warn!("purge of changes through {through} not recorded: {e}"),
            }
        }
    }
}

/// The next batch of changes `target` has not taken, once the replicas have them
/// (a cache purged before a replica has the change would be refilled from that
/// replica with what the change replaced); `None` when there is none, or another
/// node holds the lease.
async fn claim(
    db: &web::Data<Database>,
    node: &str,
    target: &str,
    lease: chrono::Duration,
) -> Option<purges::Batch> {
    let (node_id, target_name) = (node.to_owned(), target.to_owned());
    let replicas = db.replicas().clone();
    let claimed = db
        .run(move |conn| {
            if !purges::pending(conn, &target_name)? {
                return Ok(None);
            }
            let batch = db::write_tx(conn, |c| {
                purges::claim(c, &node_id, now(), lease, (&target_name, CHANGES_PER_BATCH))
            })?;
            if batch.is_some() {
                replicas.wait_until_replayed(conn);
            }
            Ok(batch)
        })
        .await;
    claimed
        .inspect_err(|e| log::warn!("changes not read for purging: {e}"))
        .ok()
        .flatten()
}
