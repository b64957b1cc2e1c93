//! What database work costs, measured where it runs: how many tasks wait for a
//! connection of the primary's pool, and how long work holds one, by database.
//! `/metrics` reports them.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use prometheus::{HistogramOpts, HistogramVec};

/// Buckets from an indexed lookup to a slow export page.
const BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

pub struct WorkStats {
    waiting: AtomicI64,
    seconds: HistogramVec,
}

impl Default for WorkStats {
    fn default() -> Self {
        let opts = HistogramOpts::new(
            "db_work_duration_seconds",
            "Time database work held a connection (queries and the code between them), by database",
        )
        .buckets(BUCKETS.to_vec());
        Self {
            waiting: AtomicI64::new(0),
            // Fixed names and a label: nothing here can make it fail.
            seconds: HistogramVec::new(opts, &["database"])
                .unwrap_or_else(|e| unreachable!("a valid histogram: {e}")),
        }
    }
}

/// Counts a task as waiting for a connection until dropped.
pub struct Waiting(Arc<WorkStats>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

impl WorkStats {
    pub fn waiting(&self) -> i64 {
        self.waiting.load(Ordering::Relaxed)
    }

    /// From before the task waits for a thread of the blocking pool until it has
    /// its connection.
    pub fn start_waiting(self: &Arc<Self>) -> Waiting {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        Waiting(self.clone())
    }

    /// Runs `work`, timing it against `database` (`primary` or `replica`).
    pub fn time<T>(&self, database: &str, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        self.seconds
            .with_label_values(&[database])
            .observe(started.elapsed().as_secs_f64());
        result
    }

    pub fn histogram(&self) -> &HistogramVec {
        &self.seconds
    }
}
