//! The log: `env_logger`'s lines by default, or with `FOLIO_LOG_FORMAT=json` one
//! JSON object per line, with each request's fields (request id, method, route,
//! status, latency, client, token name, problem type, W3C trace context) as members,
//! for log shippers.

use std::io::Write;

use serde_json::{Map, Value};

/// Sets up the process's logger from `RUST_LOG` (default `info`) and `FOLIO_LOG_FORMAT`.
pub fn init() -> Result<(), String> {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    let format = std::env::var("FOLIO_LOG_FORMAT").unwrap_or_default();
    match format.trim() {
        "" | "text" => {}
        "json" => {
            builder.format(|buf, record| writeln!(buf, "{}", Value::Object(json_line(record))));
        }
        other => {
            return Err(format!(
                "FOLIO_LOG_FORMAT must be text or json (got {other:?})"
            ))
        }
    }
    let logger = builder.build();
    log::set_max_level(logger.filter());
    log::set_boxed_logger(Box::new(ClientMistakesAsDebug(logger)))
        .map_err(|e| format!("the log is already set up: {e}"))
}

/// The logger, less actix-http's errors about what a client did wrong (a
/// malformed request, a connection dropped mid-request, headers too long): it
/// logs them as errors, and `error` is kept for the server's own faults, so that
/// an alert on it means something. They are logged at `debug`.
struct ClientMistakesAsDebug(env_logger::Logger);

impl ClientMistakesAsDebug {
    /// The dispatcher's errors for a request that could not be parsed, a
    /// connection's I/O failing, a request too slow to arrive or a connection not
    /// closing in time, and the decoder's for a request too large to buffer.
    fn is_client_mistake(record: &log::Record<'_>) -> bool {
        const CLIENT_STREAM_ERRORS: [&str; 4] = [
            "stream error: request parse error",
            "stream error: I/O error",
            "stream error: request did not complete",
            "stream error: connection shutdown timeout",
        ];
        if record.level() != log::Level::Error {
            return false;
        }
        match record.target() {
            "actix_http::h1::decoder" => true,
            "actix_http::h1::dispatcher" => {
                let message = record.args().to_string();
                CLIENT_STREAM_ERRORS.iter().any(|m| message.starts_with(m))
            }
            _ => false,
        }
    }
}

impl log::Log for ClientMistakesAsDebug {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.0.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !Self::is_client_mistake(record) {
            return self.0.log(record);
        }
        let args = *record.args();
        let demoted = record
            .to_builder()
            .level(log::Level::Debug)
            .args(args)
            .build();
        if self.0.enabled(demoted.metadata()) {
            self.0.log(&demoted);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// One record as a JSON object: time, level, target and message, then its fields.
fn json_line(record: &log::Record<'_>) -> Map<String, Value> {
    let mut line = Map::new();
    line.insert(
        "time".into(),
        chrono::Utc::now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            .into(),
    );
    line.insert("level".into(), record.level().as_str().into());
    line.insert("target".into(), record.target().into());
    line.insert("message".into(), record.args().to_string().into());
    let mut fields = Fields(&mut line);
    // A field that cannot be visited is left out; the message still says it.
    let _ = record.key_values().visit(&mut fields);
    line
}

struct Fields<'a>(&'a mut Map<String, Value>);

impl<'kvs> log::kv::VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let value = if let Some(n) = value.to_u64() {
            Value::from(n)
        } else if let Some(n) = value.to_f64() {
            Value::from(n)
        } else {
            Value::from(value.to_string())
        };
        self.0.insert(key.as_str().to_owned(), value);
        Ok(())
    }
}

/// A W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`): its trace and parent
/// ids when well formed, so that a request's log line joins its trace.
pub fn trace_context(header: &str) -> Option<(&str, &str)> {
    let mut parts = header.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zeros = |s: &str| s.bytes().all(|b| b == b'0');
    let valid = hex(version, 2)
        && version != "ff"
        && hex(trace, 32)
        && !zeros(trace)
        && hex(parent, 16)
        && !zeros(parent)
        && hex(flags, 2)
        && (version != "00" || parts.next().is_none());
    valid.then_some((trace, parent))
}

#[cfg(test)]
mod tests {
    use super::trace_context;

    #[test]
    fn trace_contexts_are_read_as_w3c_defines_them() {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        assert_eq!(
            trace_context(header),
            Some(("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
        );
        for wrong in [
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "nonsense",
        ] {
            assert_eq!(trace_context(wrong), None, "{wrong}");
        }
    }
}
