//! The loop every node runs: make messages of new changes, claim the messages that
//! are due, send them, record how each attempt went.

use std::time::{Duration, Instant};

use actix_web::web;
use chrono::Utc;
use rand::Rng;

use super::fan_out::fan_out;
use crate::db::webhooks::{self as store, AfterFailure, Claimed, Outcome};
use crate::db::{self, changes, now, Database};
use crate::readiness::Readiness;
use crate::site::Site;
use crate::webhooks::{signature, TargetPolicy, WebhookSettings};

/// How often a node looks for work.
const TICK: Duration = Duration::from_secs(1);

/// Messages one node sends at once.
const SENT_AT_ONCE: i64 = 16;

/// Runs for as long as the server does.
pub async fn deliver_messages(
    db: web::Data<Database>,
    readiness: web::Data<Readiness>,
    settings: WebhookSettings,
    site: Site,
) {
    let site = std::sync::Arc::new(site);
    let policy = TargetPolicy {
        allowed_hosts: settings.allowed_hosts.clone(),
    };
    let client = match reqwest::Client::builder()
        // A redirect is the receiver's answer, not a new target to trust.
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .dns_resolver(policy.resolver())
        .user_agent(concat!("Folio-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            log::error!("webhooks will not be sent: no HTTP client ({e})");
            return;
        }
    };
    // A claim outlives the longest attempt, so only a node that died lets it lapse.
    let lease = chrono::Duration::from_std(settings.timeout + Duration::from_secs(30))
        .unwrap_or(chrono::Duration::MAX);
    let mut tick = actix_rt::time::interval(TICK);
    loop {
        tick.tick().await;
        if !readiness.is_ready() {
            continue;
        }
        make_messages(&db, &site).await;
        loop {
            let claimed = db
                .run(move |conn| {
                    if !store::any_due(conn, now())? {
                        return Ok(Vec::new());
                    }
                    db::write_tx(conn, |c| store::claim_due(c, now(), lease, SENT_AT_ONCE))
                })
                .await;
            let claimed = match claimed {
                Ok(claimed) => claimed,
                Err(e) => {
                    log::warn!("webhook messages not claimed: {e}");
                    break;
                }
            };
            if claimed.is_empty() {
                break;
            }
            let full = claimed.len() as i64 == SENT_AT_ONCE;
            let outcomes =
                futures_util::future::join_all(claimed.iter().map(|c| send(&client, &policy, c)))
                    .await;
            let delays = settings.retry_delays.clone();
            let recorded = db
                .write(move |conn| {
                    for outcome in &outcomes {
                        store::record(conn, outcome, |attempts| after_failure(attempts, &delays))?;
                    }
                    Ok(())
                })
                .await;
            if let Err(e) = recorded {
                // The claims lapse and the messages go out again: at least once.
                log::warn!("webhook attempts not recorded: {e}");
                break;
            }
            if !full {
                break;
            }
        }
    }
}

/// Makes messages of the changes no node has gone through yet.
async fn make_messages(db: &Database, site: &std::sync::Arc<Site>) {
    loop {
        let site = site.clone();
        let made = db
            .run(move |conn| {
                if store::fanned_out_through(conn)? >= changes::latest(conn)? {
                    return Ok(0);
                }
                db::write_tx(conn, |conn| fan_out(conn, &site))
            })
            .await;
        match made {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                log::warn!("webhook messages not made: {e}");
                return;
            }
        }
    }
}

/// When to try again after the `attempts`th failure: the configured wait, give or
/// take a fifth (so that many receivers failing at once do not come back at once),
/// or never once the waits are used up.
fn after_failure(attempts: i32, delays: &[Duration]) -> AfterFailure {
    let Some(delay) = usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| delays.get(i))
    else {
        return AfterFailure::GiveUp;
    };
    let jittered = delay.mul_f64(rand::rng().random_range(0.8..1.2));
    let wait = chrono::Duration::from_std(jittered).unwrap_or(chrono::Duration::MAX);
    AfterFailure::RetryAt(now() + wait)
}

/// One attempt to deliver a message.
async fn send(client: &reqwest::Client, policy: &TargetPolicy, claimed: &Claimed) -> Outcome {
    let attempted_at = now();
    let started = Instant::now();
    let result = attempt(client, policy, claimed).await;
    let latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (status_code, error) = match result {
        Ok((status, _)) if (200..300).contains(&status) => (Some(status), None),
        Ok((status, Some(location))) if (300..400).contains(&status) => (
            Some(status),
            Some(format!(
                "the receiver redirected to {location}; redirects are not followed"
            )),
        ),
        Ok((status, _)) => (
            Some(status),
            Some(format!("the receiver answered {status}")),
        ),
        Err(error) => (None, Some(error)),
    };
    Outcome {
        delivery_id: claimed.delivery.id,
        attempted_at,
        status_code: status_code.map(i32::from),
        latency_ms,
        error,
    }
}

/// The receiver's status and any `Location` it gave, or why there was none.
async fn attempt(
    client: &reqwest::Client,
    policy: &TargetPolicy,
    claimed: &Claimed,
) -> Result<(u16, Option<String>), String> {
    let (webhook, delivery) = (&claimed.webhook, &claimed.delivery);
    // Checked again at each attempt: the allow-list may have changed since.
    let url = policy.check_url(&webhook.url)?;
    let timestamp = Utc::now().timestamp();
    let signed = signature(
        &webhook.signing_secrets(now()),
        &delivery.message_id,
        timestamp,
        &delivery.payload,
    )
    .map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signed)
        .body(delivery.payload.clone())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    Ok((response.status().as_u16(), location))
}

/// An error with its causes, which say what actually went wrong (refused,
/// timed out, a forbidden address).
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_then_give_up() {
        let delays = [Duration::from_secs(5), Duration::from_secs(3600)];
        let wait = |attempts| match after_failure(attempts, &delays) {
            AfterFailure::RetryAt(at) => Some((at - now()).num_seconds()),
            AfterFailure::GiveUp => None,
        };
        assert!(wait(1).is_some_and(|s| (3..=6).contains(&s)));
        assert!(wait(2).is_some_and(|s| (2870..=4320).contains(&s)));
        assert_eq!(wait(3), None);
    }
}
