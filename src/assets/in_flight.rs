//! Copies being made, each made once: a request for a copy already under way
//! waits for that making instead of starting its own, and a making goes on to the
//! end whoever still waits for it, so that the work done is never lost.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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

/// Takes a making off the list when its task ends, however it ends (a panic or
/// a runtime shutting down included), so that a failure is never kept as the
/// answer for that copy.
struct Done(InFlight, String);

impl Drop for Done {
    fn drop(&mut self) {
        self.0.list().remove(&self.1);
    }
}

impl InFlight {
    /// The making of the copy stored as `key` already under way, or else the one
    /// `start` gives, run as a task of its own.
    pub fn join_or_start<F>(&self, key: &str, start: impl FnOnce() -> F) -> Making
    where
        F: Future<Output = ApiResult<Bytes>> + 'static,
    {
        if let Some(making) = self.list().get(key) {
            return making.clone();
        }
        // Spawned without the list locked: a runtime that is shutting down drops
        // the task at once, and its `Done` takes the list's lock.
        let (done, work) = (Done(self.clone(), key.to_owned()), start());
        let task = actix_web::rt::spawn(async move {
            let _done = done;
            work.await
        });
        let making = async move {
            task.await
                .unwrap_or_else(|e| Err(ApiError::Internal(format!("image task failed: {e}"))))
        }
        .boxed()
        .shared();
        // Another worker may have started the same copy meanwhile: both are
        // made, and later requests wait for the first.
        self.list().entry(key.to_owned()).or_insert(making).clone()
    }

    fn list(&self) -> MutexGuard<'_, HashMap<String, Making>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
