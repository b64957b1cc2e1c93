//! An article's `metadata`: any JSON object, kept exactly as sent. JSON parsers
//! differ where the standard is silent (RFC 8259, section 4: names "SHOULD be
//! unique"; section 6: numbers beyond a double's precision), and each quietly
//! keeps something else: the last of two values, a rounded number. Folio refuses
//! what it could not give back as sent, naming where it is.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The most bytes an article's metadata takes as JSON.
pub const MAX_METADATA_BYTES: usize = 65_536;

/// Free-form article metadata: any JSON object, kept as given.
pub struct Metadata;

impl utoipa::PartialSchema for Metadata {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .description(Some(format!(
                "Free-form extra fields: any JSON object of at most {MAX_METADATA_BYTES} bytes, \
                 returned as given. Each key appears once in an object, and each number is \
                 one a 64-bit integer or a double holds exactly (send others as strings)"
            )))
            .examples([serde_json::json!({"dateline": "Astana", "event_date": "2024-11-28"})])
            .into()
    }
}

impl utoipa::ToSchema for Metadata {}

/// A JSON object whose every key is unique in its object and every number is
/// kept exactly, at any depth.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ExactObject(pub Map<String, Value>);

impl<'de> Deserialize<'de> for ExactObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        if !raw.get().starts_with('{') {
            return Err(de::Error::custom("must be a JSON object"));
        }
        check_exact(raw.get(), "metadata").map_err(de::Error::custom)?;
        serde_json::from_str(raw.get())
            .map(ExactObject)
            .map_err(de::Error::custom)
    }
}

/// The members of an object in the order sent, duplicates included.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Collect;
        impl<'de> Visitor<'de> for Collect {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Collect)
    }
}

/// Checks the JSON value `text` (already known to be well-formed) found at `path`.
fn check_exact(text: &str, path: &str) -> Result<(), String> {
    let malformed = |e: serde_json::Error| format!("{path}: {e}");
    match text.as_bytes().first() {
        Some(b'{') => {
            let members: Members = serde_json::from_str(text).map_err(malformed)?;
            let mut seen = std::collections::HashSet::new();
            for (key, value) in &members.0 {
                if !seen.insert(key.as_str()) {
                    return Err(format!(
                        "{path} has the key {key:?} twice; a key appears once in an object"
                    ));
                }
                check_exact(value.get(), &format!("{path}.{key}"))?;
            }
            Ok(())
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text).map_err(malformed)?;
            for (i, item) in items.iter().enumerate() {
                check_exact(item.get(), &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Some(b'-' | b'0'..=b'9') if !kept_exactly(text) => Err(format!(
            "{path}: {text} cannot be kept exactly (numbers are kept as 64-bit integers or \
             doubles); send it as a string"
        )),
        _ => Ok(()),
    }
}

/// Whether a JSON number reads back as the same number: an integer a 64-bit
/// integer holds, or a number a double holds without rounding.
fn kept_exactly(number: &str) -> bool {
    if !number.contains(['.', 'e', 'E']) {
        return number.parse::<i64>().is_ok() || number.parse::<u64>().is_ok();
    }
    match number.parse::<f64>() {
        Ok(double) if double.is_finite() => {
            // Rust writes the shortest digits that read back as the same double.
            decimal(number).is_some() && decimal(number) == decimal(&format!("{double:e}"))
        }
        _ => false,
    }
}

/// A decimal number as its sign, significant digits and exponent (the value is
/// 0.DIGITS × 10^exponent), so that `100`, `1e2` and `1.00E+2` compare equal.
fn decimal(number: &str) -> Option<(bool, String, i64)> {
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all = format!("{whole}{fraction}");
    let significant = all.trim_start_matches('0');
    let leading_zeros = (all.len() - significant.len()) as i64;
    let digits = significant.trim_end_matches('0');
    if digits.is_empty() {
        return Some((false, String::new(), 0));
    }
    let exponent = exponent.checked_add(whole.len() as i64 - leading_zeros)?;
    Some((negative, digits.to_owned(), exponent))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<ExactObject, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_are_kept_or_refused() {
        for kept in [
            "0",
            "-0",
            "42",
            "-9223372036854775808",
            "18446744073709551615",
            "0.1",
            "1e2",
            "1.50",
            "-2.5E-3",
            "1.7976931348623157e308",
            "5e-324",
            "0.0",
        ] {
            assert!(kept_exactly(kept), "{kept}");
        }
        for lost in [
            "123456789012345678901234567890",
            "18446744073709551616",
            "-9223372036854775809",
            "0.1000000000000000000001",
            "9007199254740993.0",
            "1e400",
            "1e99999999999999999999",
        ] {
            assert!(!kept_exactly(lost), "{lost}");
        }
    }

    #[test]
    fn duplicates_and_lossy_numbers_are_named_where_they_are() {
        assert_eq!(
            read(r#"{"a": 1, "b": [1, {"c": 2.5}], "d": {"e": "x"}}"#).map(|o| o.0.len()),
            Ok(3)
        );
        let twice = read(r#"{"a": {"b": [{"c": 1, "c": 2}]}}"#).unwrap_err();
        assert!(
            twice.contains("metadata.a.b[0] has the key \"c\" twice"),
            "{twice}"
        );
        let top = read(r#"{"a": 1, "a": 1}"#).unwrap_err();
        assert!(top.contains("metadata has the key \"a\" twice"), "{top}");
        let big = read(r#"{"n": [123456789012345678901234567890]}"#).unwrap_err();
        assert!(
            big.contains("metadata.n[0]: 123456789012345678901234567890"),
            "{big}"
        );
        assert!(read("[1]").is_err());
    }
}
