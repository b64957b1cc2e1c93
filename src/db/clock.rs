//! The time decisions are taken at.

use std::time::Duration;

use chrono::{NaiveDateTime, Timelike, Utc};

/// The system clock, plus an offset that only tests move (so that they need not
/// wait for a token to expire); shared by every clone of a `Database`.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> NaiveDateTime {
        let offset = self
            .offset_micros
            .load(std::sync::atomic::Ordering::Relaxed);
        now() + chrono::TimeDelta::microseconds(offset)
    }

    /// Moves this clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.offset_micros
            .fetch_add(micros, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The current instant at the precision both databases keep (microseconds),
/// so that what is written reads back identical on either backend.
pub fn now() -> NaiveDateTime {
    truncate(Utc::now().naive_utc())
}

pub fn truncate(t: NaiveDateTime) -> NaiveDateTime {
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}
