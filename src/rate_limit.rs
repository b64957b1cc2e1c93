//! Rate limiting per token, and per client address for anonymous callers:
//! a fixed window of `window` seconds allowing `limit` requests, answered with
//! the `RateLimit-*` headers of the IETF draft and, past the limit, a 429.
//!
//! The counters live in each process: with several API nodes behind a balancer a
//! client may get up to the limit from each. That is the trade chosen over a
//! shared store on every request; a global limit belongs in the gateway or CDN,
//! or set each node's limit to the global one divided by the node count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Limits per window; `0` turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub anonymous: u32,
    pub token: u32,
    pub window_seconds: u64,
    /// Take the client address from `X-Forwarded-For`/`Forwarded` (behind a
    /// trusted proxy or CDN) instead of the connection's peer.
    pub trust_forwarded: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            anonymous: 1200,
            token: 6000,
            window_seconds: 60,
            trust_forwarded: false,
        }
    }
}

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// A verified token, by its (unique) name.
    Token(String),
    Address(String),
}

/// The outcome for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends and the count starts again.
    pub reset: u64,
    pub allowed: bool,
    pub window_seconds: u64,
}

/// Past this many clients, counters of ended windows are dropped.
const PRUNE_AT: usize = 50_000;

#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: RateLimits,
    windows: Mutex<HashMap<Client, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            windows: Mutex::default(),
        }
    }

    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Counts one request of `client`; `None` when its kind of client is not limited.
    pub fn check(&self, client: Client) -> Option<Decision> {
        let limit = match client {
            Client::Token(_) => self.limits.token,
            Client::Address(_) => self.limits.anonymous,
        };
        if limit == 0 || self.limits.window_seconds == 0 {
            return None;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let window = now / self.limits.window_seconds;
        let reset = (window + 1) * self.limits.window_seconds - now;
        // A poisoned lock only means another request panicked mid-count: the counts are still usable.
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() >= PRUNE_AT {
            windows.retain(|_, (w, _)| *w == window);
        }
        let entry = windows.entry(client).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < limit;
        if allowed {
            entry.1 += 1;
        }
        Some(Decision {
            limit,
            remaining: limit - entry.1,
            reset,
            allowed,
            window_seconds: self.limits.window_seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_client_and_refuses_past_the_limit() {
        let limiter = RateLimiter::new(RateLimits {
            anonymous: 2,
            token: 3,
            window_seconds: 3600,
            trust_forwarded: false,
        });
        let a = || Client::Address("192.0.2.1".into());
        let first = limiter.check(a()).unwrap();
        assert!(first.allowed);
        assert_eq!(first.remaining, 1);
        assert!(limiter.check(a()).unwrap().allowed);
        let refused = limiter.check(a()).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert!(refused.reset >= 1 && refused.reset <= 3600);
        assert!(
            limiter
                .check(Client::Address("192.0.2.2".into()))
                .unwrap()
                .allowed
        );
        assert_eq!(
            limiter.check(Client::Token("h".into())).unwrap().remaining,
            2
        );
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let limiter = RateLimiter::new(RateLimits {
            anonymous: 0,
            ..RateLimits::default()
        });
        assert_eq!(limiter.check(Client::Address("192.0.2.1".into())), None);
    }
}
