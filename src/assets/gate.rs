//! The turnstile in front of image work: a few decodes or resizes at a time, a
//! short queue, and a bounded wait, so that a storm of transforms slows itself
//! and never the rest of the API. It counts what it does for `/metrics`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus::core::Collector;
use prometheus::{Histogram, HistogramOpts, IntCounter, IntGauge};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// How many requests may queue per slot before new ones are turned away at once:
/// a queue that could not be served within the wait anyway is not worth joining.
const QUEUE_PER_SLOT: usize = 32;

/// From a thumbnail of a small picture to a large AVIF.
const SECONDS_BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// A turn at image work, held until the work is done.
pub type Turn = OwnedSemaphorePermit;

#[derive(Debug, Clone)]
pub struct TransformGate {
    slots: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    wait: Duration,
    /// Requests waiting for a slot.
    waiting: IntGauge,
    /// Requests turned away with a 503.
    refused: IntCounter,
    /// How long each piece of work took.
    seconds: Histogram,
}

/// Leaves the queue when dropped, however the wait ended.
struct Queued<'a>(&'a TransformGate);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::SeqCst);
        self.0.waiting.dec();
    }
}

impl TransformGate {
    pub fn new(slots: usize, wait: Duration) -> Result<Self, String> {
        let slots = slots.max(1);
        let failed = |e: prometheus::Error| format!("image work metrics: {e}");
        Ok(Self {
            slots: Arc::new(Semaphore::new(slots)),
            queued: Arc::new(AtomicUsize::new(0)),
            max_queued: slots * QUEUE_PER_SLOT,
            wait,
            waiting: IntGauge::new(
                "asset_transforms_waiting",
                "Image decodes and resizes waiting for a slot (FOLIO_ASSET_TRANSFORMS)",
            )
            .map_err(failed)?,
            refused: IntCounter::new(
                "asset_transforms_refused_total",
                "Image work turned away with a 503: the queue was full or the wait ran out",
            )
            .map_err(failed)?,
            seconds: Histogram::with_opts(
                HistogramOpts::new(
                    "asset_transform_seconds",
                    "Time to probe an upload or make a copy of an image, once it had a slot",
                )
                .buckets(SECONDS_BUCKETS.to_vec()),
            )
            .map_err(failed)?,
        })
    }

    /// What `/metrics` shows of the gate.
    pub fn collectors(&self) -> Vec<Box<dyn Collector>> {
        vec![
            Box::new(self.waiting.clone()),
            Box::new(self.refused.clone()),
            Box::new(self.seconds.clone()),
        ]
    }

    /// Waits for a slot: a 503 with `Retry-After` when the queue is full or the
    /// wait runs out. The slot is the caller's until the turn is dropped, so
    /// that what the work needs (an original from the store) is only fetched
    /// once it may start, never held while queueing.
    pub async fn enter(&self) -> Result<Turn, ApiError> {
        let busy = || {
            self.refused.inc();
            ApiError::Unavailable(
                "image processing is busy; the copy will be ready on a later request".into(),
            )
        };
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        self.waiting.inc();
        let _queued = Queued(self);
        match tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await {
            Ok(Ok(turn)) => Ok(turn),
            _ => Err(busy()),
        }
    }

    /// Runs `work` on a blocking thread with `turn`, which goes with it: a client
    /// that leaves does not free the slot while its image is still being made.
    pub async fn work<T, F>(&self, turn: Turn, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let seconds = self.seconds.clone();
        actix_web::web::block(move || {
            let _turn = turn;
            let started = Instant::now();
            let result = work();
            seconds.observe(started.elapsed().as_secs_f64());
            result
        })
        .await
        .map_err(|e| ApiError::Internal(format!("image task failed: {e}")))?
    }

    /// Waits for a slot, then runs `work` in it.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let turn = self.enter().await?;
        self.work(turn, work).await
    }
}
