//! Rate limiting per verified token, and per client address for everyone else:
//! GCRA (the `governor` crate), so `limit` requests per `window` come back
//! gradually rather than all at once, answered with the `RateLimit-*` headers of
//! the IETF draft and, past the limit, a 429 (the `rate_limit` middleware).
//!
//! The state lives in each process: with several API nodes behind a balancer a
//! client may get up to the limit from each. That is the trade chosen over a
//! shared store on every request; a global limit belongs in the gateway or CDN,
//! or set each node's limit to the global one divided by the node count.
//!
//! Each check costs the same whatever the number of clients (a sharded map, one
//! shard locked per check), and clients whose allowance is full again are
//! forgotten by a sweep every few seconds, so memory follows the clients active
//! within one window.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter as Gcra};
use ipnet::IpNet;

use crate::auth::{Caller, Refusal};
use crate::error::ApiError;
use crate::http::refusal::refuse;

/// Which proxies' word to take for the client address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TrustedProxies {
    /// The connection's peer is the client: forwarding headers are ignored.
    #[default]
    None,
    /// This many proxies stand in front: the client is the address the
    /// outermost one added, counted from the right of `X-Forwarded-For`.
    Hops(usize),
    /// Proxies at these addresses: the client is the rightmost address not among them.
    Networks(Vec<IpNet>),
}

impl TrustedProxies {
    /// `false`/`0` (none), `true` (one proxy), a number of proxies, or a
    /// comma-separated list of the proxies' networks (`10.0.0.0/8,192.0.2.7`).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "" | "false" | "0" => return Ok(Self::None),
            "true" => return Ok(Self::Hops(1)),
            _ => {}
        }
        if let Ok(hops) = text.trim().parse::<usize>() {
            return Ok(Self::Hops(hops));
        }
        text.split(',')
            .map(|item| {
                let item = item.trim();
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "{item:?} is neither an IP address nor a network such as 10.0.0.0/8"
                        )
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self::Networks)
    }

    /// The client's address, from the connection's `peer` and the addresses the
    /// proxies appended (`forwarded`, leftmost first). Only entries the trusted
    /// proxies added are believed: anything to their left is the client's own say.
    pub fn client(&self, peer: Option<IpAddr>, forwarded: &[IpAddr]) -> Option<IpAddr> {
        match self {
            Self::None => peer,
            Self::Hops(hops) => match forwarded.len().checked_sub(*hops) {
                Some(i) if *hops > 0 => forwarded.get(i).copied(),
                // Fewer entries than proxies: the request skipped one, so the
                // connection itself is all that can be believed.
                _ => peer,
            },
            Self::Networks(networks) => {
                let trusted = |ip: &IpAddr| networks.iter().any(|n| n.contains(ip));
                if !peer.as_ref().is_some_and(trusted) {
                    return peer;
                }
                forwarded
                    .iter()
                    .rev()
                    .find(|ip| !trusted(ip))
                    .or(forwarded.first())
                    .copied()
                    .or(peer)
            }
        }
    }
}

/// Limits per window; `0` turns a limit off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub anonymous: u32,
    pub token: u32,
    pub window_seconds: u64,
    /// Whose forwarding headers name the client (behind a proxy or CDN).
    pub trusted_proxies: TrustedProxies,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            anonymous: 1200,
            token: 6000,
            window_seconds: 60,
            trusted_proxies: TrustedProxies::None,
        }
    }
}

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    /// A verified token, by its (unique) name.
    Token(String),
    Address(IpAddr),
    /// No address could be had (a Unix socket, a test harness).
    Unknown,
}

/// The outcome for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the allowance is whole again (refused: until one more request is allowed).
    pub reset: u64,
    pub allowed: bool,
    pub window_seconds: u64,
}

type Keyed = Gcra<
    Client,
    governor::state::keyed::DefaultKeyedStateStore<Client>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// One GCRA limiter with its quota's numbers, for the headers.
struct Bucket {
    limiter: Keyed,
    limit: u32,
    /// The time one request of the allowance takes to come back.
    period: Duration,
}

impl Bucket {
    fn new(limit: u32, window_seconds: u64) -> Option<Self> {
        let burst = NonZeroU32::new(limit)?;
        let window = Duration::from_secs(window_seconds);
        let period = window.checked_div(limit).filter(|p| !p.is_zero())?;
        let quota = Quota::with_period(period)?.allow_burst(burst);
        Some(Self {
            limiter: Gcra::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            limit,
            period,
        })
    }
}

pub struct RateLimiter {
    limits: RateLimits,
    anonymous: Option<Bucket>,
    token: Option<Bucket>,
    clock: DefaultClock,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            anonymous: Bucket::new(limits.anonymous, limits.window_seconds),
            token: Bucket::new(limits.token, limits.window_seconds),
            limits,
            clock: DefaultClock::default(),
        }
    }

    /// A shared limiter, with a thread that forgets idle clients every few seconds
    /// for as long as the limiter is in use.
    pub fn shared(limits: RateLimits) -> Arc<Self> {
        let limiter = Arc::new(Self::new(limits));
        let weak: Weak<Self> = Arc::downgrade(&limiter);
        let spawned = std::thread::Builder::new()
            .name("rate-limit-sweep".into())
            .spawn(move || loop {
                std::thread::sleep(SWEEP_EVERY);
                match weak.upgrade() {
                    Some(limiter) => limiter.forget_idle(),
                    None => return,
                }
            });
        if let Err(e) = spawned {
            log::warn!("rate limiter: no sweeping thread ({e}); idle clients stay in memory");
        }
        limiter
    }

    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Drops clients whose allowance is whole again (they would start afresh anyway).
    pub fn forget_idle(&self) {
        for bucket in [&self.anonymous, &self.token].into_iter().flatten() {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
    }

    /// How many clients are remembered.
    pub fn clients(&self) -> usize {
        [&self.anonymous, &self.token]
            .into_iter()
            .flatten()
            .map(|b| b.limiter.len())
            .sum()
    }

    /// Counts one request of `client`; `None` when its kind of client is not limited.
    pub fn check(&self, client: Client) -> Option<Decision> {
        let bucket = match client {
            Client::Token(_) => self.token.as_ref(),
            Client::Address(_) | Client::Unknown => self.anonymous.as_ref(),
        }?;
        let decision = match bucket.limiter.check_key(&client) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity().min(bucket.limit);
                let used = bucket.limit - remaining;
                Decision {
                    limit: bucket.limit,
                    remaining,
                    reset: seconds_up(bucket.period * used),
                    allowed: true,
                    window_seconds: self.limits.window_seconds,
                }
            }
            Err(not_until) => Decision {
                limit: bucket.limit,
                remaining: 0,
                reset: seconds_up(not_until.wait_time_from(self.clock.now())).max(1),
                allowed: false,
                window_seconds: self.limits.window_seconds,
            },
        };
        Some(decision)
    }
}

/// How often idle clients are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

fn seconds_up(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// The response headers that say where a client stands.
pub const HEADERS: [&str; 4] = [
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "ratelimit-policy",
];

/// Counts each `/v1` request against its token or, anonymous, its client address;
/// past the limit answers 429. Every counted response carries `RateLimit-Limit`,
/// `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`.
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let decision = req
        .app_data::<web::Data<RateLimiter>>()
        .filter(|_| req.path().starts_with("/v1/"))
        .and_then(|limiter| limiter.check(client_of(&req, limiter.limits())));
    let mut res = match decision {
        Some(d) if !d.allowed => {
            if let Some(metrics) = req.app_data::<web::Data<crate::metrics::Metrics>>() {
                metrics.rate_limited();
            }
            let refusal = ApiError::TooManyRequests {
                detail: format!(
                    "more than {} requests in {} seconds; retry in {} seconds",
                    d.limit, d.window_seconds, d.reset
                ),
                retry_after: d.reset,
            };
            refuse(req, refusal)
        }
        // Refused credentials are answered only now, so that guessing tokens
        // counts against the guesser's address like any other request.
        _ => {
            let refused = req.extensions_mut().remove::<Refusal>();
            match refused {
                Some(Refusal(refusal)) => refuse(req, refusal),
                None => next.call(req).await?.map_into_boxed_body(),
            }
        }
    };
    if let Some(d) = decision {
        let headers = res.headers_mut();
        for (name, value) in [
            ("ratelimit-limit", d.limit.to_string()),
            ("ratelimit-remaining", d.remaining.to_string()),
            ("ratelimit-reset", d.reset.to_string()),
            (
                "ratelimit-policy",
                format!("{};w={}", d.limit, d.window_seconds),
            ),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(header::HeaderName::from_static(name), value);
            }
        }
    }
    Ok(res)
}

/// Who a request counts against: its verified token (see `auth::authenticate`),
/// else its client address. A made-up token is no bucket of its own.
fn client_of(req: &ServiceRequest, limits: &RateLimits) -> Client {
    if let Some(Caller::Token { name, .. }) = req.extensions().get::<Caller>() {
        return Client::Token(name.clone());
    }
    let peer = req.peer_addr().map(|a| a.ip());
    let chain = match limits.trusted_proxies {
        TrustedProxies::None => Vec::new(),
        _ => forwarded_chain(req.headers()),
    };
    limits
        .trusted_proxies
        .client(peer, &chain)
        .map_or(Client::Unknown, Client::Address)
}

/// The addresses proxies appended, leftmost first: `X-Forwarded-For`, or else
/// the `for=` of RFC 7239's `Forwarded`. Entries that are not addresses are left out.
fn forwarded_chain(headers: &header::HeaderMap) -> Vec<std::net::IpAddr> {
    let values = |name| {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    let x_forwarded_for = values(header::HeaderName::from_static("x-forwarded-for"));
    let entries: Vec<&str> = if x_forwarded_for.is_empty() {
        values(header::FORWARDED)
            .into_iter()
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (key, value) = pair.trim().split_once('=')?;
                    key.eq_ignore_ascii_case("for")
                        .then_some(value.trim_matches('"'))
                })
            })
            .collect()
    } else {
        x_forwarded_for
    };
    entries.into_iter().filter_map(parse_node).collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<std::net::SocketAddr>() {
        return Some(socket.ip());
    }
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn counts_per_client_and_refuses_past_the_limit() {
        let limiter = RateLimiter::new(RateLimits {
            anonymous: 2,
            token: 3,
            window_seconds: 3600,
            trusted_proxies: TrustedProxies::None,
        });
        let a = || Client::Address(ip("192.0.2.1"));
        let first = limiter.check(a()).unwrap();
        assert!(first.allowed);
        assert_eq!(first.remaining, 1);
        assert!(limiter.check(a()).unwrap().allowed);
        let refused = limiter.check(a()).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 0);
        assert!(refused.reset >= 1 && refused.reset <= 3600, "{refused:?}");
        assert!(
            limiter
                .check(Client::Address(ip("192.0.2.2")))
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
        assert_eq!(limiter.check(Client::Address(ip("192.0.2.1"))), None);
    }

    #[test]
    fn idle_clients_are_forgotten() {
        let limiter = RateLimiter::new(RateLimits {
            anonymous: 1000,
            window_seconds: 1,
            ..RateLimits::default()
        });
        for i in 0..5_000u32 {
            limiter.check(Client::Address(IpAddr::from(i.to_be_bytes())));
        }
        assert_eq!(limiter.clients(), 5_000);
        std::thread::sleep(Duration::from_millis(20));
        limiter.forget_idle();
        assert_eq!(limiter.clients(), 0);
    }

    #[test]
    fn only_the_trusted_proxies_word_is_taken() {
        let chain = [ip("203.0.113.9"), ip("198.51.100.4"), ip("10.0.0.2")];
        let peer = Some(ip("10.0.0.1"));
        assert_eq!(TrustedProxies::None.client(peer, &chain), peer);
        // One proxy: the address it saw, never the client-supplied leftmost one.
        assert_eq!(
            TrustedProxies::Hops(1).client(peer, &chain),
            Some(ip("10.0.0.2"))
        );
        assert_eq!(
            TrustedProxies::Hops(2).client(peer, &chain),
            Some(ip("198.51.100.4"))
        );
        assert_eq!(TrustedProxies::Hops(5).client(peer, &chain), peer);
        let networks = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(networks.client(peer, &chain), Some(ip("198.51.100.4")));
        // A peer outside the trusted networks speaks for itself.
        assert_eq!(
            networks.client(Some(ip("192.0.2.50")), &chain),
            Some(ip("192.0.2.50"))
        );
        assert_eq!(
            TrustedProxies::parse("true").unwrap(),
            TrustedProxies::Hops(1)
        );
        assert_eq!(
            TrustedProxies::parse("false").unwrap(),
            TrustedProxies::None
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }
}
