//! Configuration from the environment (and `.env` when present); `.env.example` documents each variable.

use chrono_tz::Tz;

/// Size limits on what clients may send.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest article body (Markdown), in bytes.
    pub max_body_bytes: usize,
    /// Largest request body, in bytes.
    pub max_request_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1_048_576,
            max_request_bytes: 4 * 1_048_576,
        }
    }
}

/// What the HTTP layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub limits: Limits,
    /// Default zone for date-only query parameters (`from=2024-11-27`).
    pub timezone: Tz,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// How date-only input (`27 novembre 2024`) is placed in time.
    pub timezone: Tz,
    pub pool_size: u32,
    pub limits: Limits,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number (got {v:?})")),
    }
}

impl Config {
    pub fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            limits: self.limits.clone(),
            timezone: self.timezone,
        }
    }

    pub fn from_env() -> Result<Self, String> {
        let timezone = var("FOLIO_TIMEZONE").unwrap_or_else(|| "UTC".into());
        let timezone: Tz = timezone.trim().parse().map_err(|_| {
            format!(
                "FOLIO_TIMEZONE must be an IANA time zone such as Europe/Paris (got {timezone:?})"
            )
        })?;
        let defaults = Limits::default();
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://folio.db".into()),
            bind: var("FOLIO_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            timezone,
            pool_size: number("FOLIO_POOL_SIZE", 8)?,
            limits: Limits {
                max_body_bytes: number("FOLIO_MAX_BODY_BYTES", defaults.max_body_bytes)?,
                max_request_bytes: number("FOLIO_MAX_REQUEST_BYTES", defaults.max_request_bytes)?,
            },
        })
    }
}
