//! Copies being made, each made once: a request for a copy already under way
//! waits for that making instead of starting its own, and a making goes on to the
//! end whoever still waits for it, so that the work done is never lost.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use futures_util::future::{BoxFuture, FutureExt, Shared};

use crate::error::{ApiError, ApiResult};

/// A copy being made, which any number of requests may wait for.
pub type Making = Shared<BoxFuture<'static, ApiResult<Bytes>>>;

#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashMap<String, Making>>>);

impl std::fmt::Debug for InFlight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight").finish_non_exhaustive()
    }
}

impl InFlight {
    /// The making of the copy stored as `key` already under way, or else the one
    /// `start` gives, run as a task of its own.
    pub fn join_or_start<F>(&self, key: &str, start: impl FnOnce() -> F) -> Making
    where
        F: Future<Output = ApiResult<Bytes>> + 'static,
    {
        let mut under_way = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(making) = under_way.get(key) {
            return making.clone();
        }
        let (registry, done, work) = (self.clone(), key.to_owned(), start());
        let task = actix_web::rt::spawn(async move {
            let made = work.await;
            let mut under_way = registry.0.lock().unwrap_or_else(PoisonError::into_inner);
            under_way.remove(&done);
            made
        });
        let making = async move {
            task.await
                .unwrap_or_else(|e| Err(ApiError::Internal(format!("image task failed: {e}"))))
        }
        .boxed()
        .shared();
        under_way.insert(key.to_owned(), making.clone());
        making
    }
}
