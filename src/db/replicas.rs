//! Read replicas: PostgreSQL standbys that public reads go to while the primary
//! takes the writes (`FOLIO_READ_DATABASE_URLS`).
//!
//! Every node measures each replica's lag itself, every `MEASURE_EVERY`: how far
//! its replayed WAL (`pg_last_wal_replay_lsn()`) trails the primary's
//! (`pg_current_wal_flush_lsn()`), in time. A replica that cannot be reached, or that
//! has not replayed what the primary had written `max_lag` ago, leaves the
//! rotation until it catches up; with none in rotation, reads go to the primary.
//! Token holders always read from the primary: they are the ones who write, and
//! the node they read from may not be the one they wrote through.
//!
//! Caches must not be refilled from a replica that has not yet seen the change
//! they were purged for: purges and the response cache wait for the replicas in
//! rotation to replay the log first (`wait_until_replayed`).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::connection::{one_line, AnyConnection};
use super::pool::Pool;
use super::static_sql::StaticSql;

/// How often each replica's lag is measured.
pub const MEASURE_EVERY: Duration = Duration::from_millis(100);

/// What a replica is doing, as `/ready` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaStatus {
    /// Not measured yet: serves nothing.
    Starting,
    /// Serving public reads.
    InRotation,
    /// Reachable but more than the allowed lag behind.
    Lagging,
    /// Its connection failed, with the driver's reason.
    Unreachable(String),
}

/// One standby and what was last measured of it.
pub struct Replica {
    /// Host, port and database, without credentials: how logs and `/ready` name it.
    pub name: String,
    pub(super) pool: Pool,
    state: Mutex<(ReplicaStatus, Option<u64>)>,
}

impl Replica {
    pub fn status(&self) -> ReplicaStatus {
        self.lock().0.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (ReplicaStatus, Option<u64>)> {
        // A panic elsewhere while holding the lock leaves a state still worth reading.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, status: ReplicaStatus, replayed: Option<u64>) {
        let mut state = self.lock();
        if state.0 != status {
            match &status {
                ReplicaStatus::InRotation => log::info!("replica {} is in rotation", self.name),
                ReplicaStatus::Lagging => log::warn!("replica {} lags: out of rotation", self.name),
                ReplicaStatus::Unreachable(why) => {
                    log::warn!("replica {} unreachable: out of rotation ({why})", self.name)
                }
                ReplicaStatus::Starting => {}
            }
        }
        *state = (status, replayed.or(state.1));
    }

    /// Takes the replica out of rotation after a failed connection from a request.
    pub(super) fn failed(&self, why: &str) {
        self.set(ReplicaStatus::Unreachable(one_line(why)), None);
    }
}

/// The replicas of one primary, possibly none.
pub struct Replicas {
    pub members: Vec<Replica>,
    max_lag: Duration,
    next: AtomicUsize,
    /// The primary's WAL position at recent measurements, oldest first.
    primary: Mutex<VecDeque<(Instant, u64)>>,
}

impl Default for Replicas {
    fn default() -> Self {
        Self::new(Vec::new(), Duration::ZERO)
    }
}

impl Replicas {
    pub(super) fn new(members: Vec<Replica>, max_lag: Duration) -> Self {
        Self {
            members,
            max_lag,
            next: AtomicUsize::new(0),
            primary: Mutex::new(VecDeque::new()),
        }
    }

    pub(super) fn replica(name: String, pool: Pool) -> Replica {
        Replica {
            name,
            pool,
            state: Mutex::new((ReplicaStatus::Starting, None)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The index of the next replica in rotation, in turn; `None` when none is.
    pub(super) fn pick_index(&self) -> Option<usize> {
        let count = self.members.len();
        if count == 0 {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..count)
            .map(|i| (start + i) % count)
            .find(|i| self.members[*i].status() == ReplicaStatus::InRotation)
    }

    /// Measures the primary and every replica once (blocking).
    pub fn measure(&self, primary: &Pool) {
        if self.is_empty() {
            return;
        }
        let now = Instant::now();
        let written = primary
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut conn| wal_position(&mut conn, WRITTEN));
        let Ok(Some(written)) = written else {
            // Without the primary there is nothing to compare with: keep the last verdicts.
            return;
        };
        let threshold = {
            let mut history = self.primary.lock().unwrap_or_else(|e| e.into_inner());
            history.push_back((now, written));
            // Keep one sample older than the allowed lag: it is the threshold.
            while history.len() > 2 && history[1].0 + self.max_lag <= now {
                history.pop_front();
            }
            match history.front() {
                Some((at, position)) if *at + self.max_lag <= now => *position,
                // Not measured for that long yet: judged against the oldest sample.
                Some((_, position)) => *position,
                None => written,
            }
        };
        for replica in &self.members {
            let replayed = replica
                .pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut conn| wal_position(&mut conn, REPLAYED));
            match replayed {
                Ok(Some(replayed)) if replayed >= threshold => {
                    replica.set(ReplicaStatus::InRotation, Some(replayed))
                }
                Ok(replayed) => replica.set(ReplicaStatus::Lagging, replayed),
                Err(why) => replica.failed(&why),
            }
        }
    }

    /// Blocks until every replica in rotation has replayed what the primary had
    /// written when this was called. A replica that falls further behind than the
    /// allowed lag leaves the rotation meanwhile, which ends the wait too; the
    /// deadline only bounds it should measuring stop.
    pub fn wait_until_replayed(&self, primary: &mut AnyConnection) {
        if self.is_empty() {
            return;
        }
        let Ok(Some(written)) = wal_position(primary, WRITTEN) else {
            return;
        };
        let deadline = Instant::now() + self.max_lag * 2 + Duration::from_secs(1);
        while Instant::now() < deadline {
            let behind = self.members.iter().any(|replica| {
                let (status, replayed) = replica.lock().clone();
                status == ReplicaStatus::InRotation && replayed.is_none_or(|r| r < written)
            });
            if !behind {
                return;
            }
            std::thread::sleep(MEASURE_EVERY / 4);
        }
    }
}

/// Where the primary has flushed its WAL to: what standbys can have received.
/// (Its write position runs ahead by records no commit has flushed yet, which
/// may wait seconds for the WAL writer and would look like lag.)
const WRITTEN: &str = "SELECT pg_current_wal_flush_lsn()::text";
/// What a standby has replayed; a server that is not one counts as fully replayed.
const REPLAYED: &str = "SELECT CASE WHEN pg_is_in_recovery() \
     THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_flush_lsn() END::text";

fn wal_position(conn: &mut AnyConnection, query: &'static str) -> Result<Option<u64>, String> {
    let text: Option<String> = StaticSql::<Nullable<Text>>::new(query)
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    Ok(text.as_deref().and_then(parse_lsn))
}

/// A WAL position written `16/B374D848` as one number.
fn parse_lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    let high = u64::from_str_radix(high, 16).ok()?;
    let low = u64::from_str_radix(low, 16).ok()?;
    Some((high << 32) | low)
}

#[cfg(test)]
mod tests {
    use super::parse_lsn;
    use crate::db::connection::display_name;

    #[test]
    fn names_leave_out_credentials() {
        assert_eq!(
            display_name("postgres://folio:secret@db-2:5432/folio?sslmode=require"),
            "db-2:5432/folio"
        );
    }

    #[test]
    fn wal_positions_compare_as_numbers() {
        assert_eq!(parse_lsn("0/3016038"), Some(0x3016038));
        assert!(parse_lsn("1/0") > parse_lsn("0/FFFFFFFF"));
        assert_eq!(parse_lsn("nonsense"), None);
    }
}
