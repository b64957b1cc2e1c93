//! The turnstile in front of image work: a few decodes or resizes at a time, a
//! short queue, and a bounded wait, so that a storm of transforms slows itself
//! and never the rest of the API.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::ApiError;

/// How many requests may queue per slot before new ones are turned away at once.
const QUEUE_PER_SLOT: usize = 8;

#[derive(Debug, Clone)]
pub struct TransformGate {
    slots: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
    max_queued: usize,
    wait: Duration,
}

/// Leaves the queue when dropped, however the wait ended.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl TransformGate {
    pub fn new(slots: usize, wait: Duration) -> Self {
        let slots = slots.max(1);
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            queued: Arc::new(AtomicUsize::new(0)),
            max_queued: slots * QUEUE_PER_SLOT,
            wait,
        }
    }

    /// Runs `work` on a blocking thread once a slot is free; a 503 with
    /// `Retry-After` when the queue is full or the wait runs out.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let busy = || {
            ApiError::Unavailable(
                "image processing is busy; the copy will be ready on a later request".into(),
            )
        };
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let queued = Queued(&self.queued);
        let permit = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| busy())?;
        drop(queued);
        actix_web::web::block(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|e| ApiError::Internal(format!("image task failed: {e}")))?
    }
}
