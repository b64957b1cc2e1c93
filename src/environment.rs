//! Settings read from the process's environment: an unset or blank variable is
//! the default, a malformed one an error that names it.

use std::time::Duration;

/// The variable's value, unless it is unset or blank.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

pub fn duration(name: &str, default: Duration) -> Result<Duration, String> {
    match var(name) {
        None => Ok(default),
        Some(text) => humantime::parse_duration(text.trim()).map_err(|e| {
            format!("{name} must be a duration such as 90d or 10s (got {text:?}: {e})")
        }),
    }
}

pub fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number (got {v:?})")),
    }
}
