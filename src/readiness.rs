//! Whether this process may serve yet: the server, its workers and `/ready` all
//! ask the one flag that start-up raises once the database is reached and migrated.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Whether the database has been reached and migrated: until then `/ready` and
/// every `/v1` request answer 503, while `/health` says the process is up.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    pub fn ready() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    pub fn starting() -> Self {
        Self::default()
    }

    pub fn set_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
