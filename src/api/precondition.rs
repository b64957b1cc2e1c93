//! `If-Match`: a write goes ahead only if the resource is still the version the
//! client last read, so that two editors cannot silently overwrite each other.
//!
//! A single resource's ETag names its version and hashes its representation:
//! `"v7-…"`. Conditional reads compare the whole tag, so a changed representation
//! (a tag's article count, another `fields` projection) is never a 304; `If-Match`
//! compares the version only, so what changed around a resource (an article
//! published in a tag) does not refuse an edit of it, and the ETag of any
//! projection of a version will do. For the same reason a weak tag (`W/"v7-…"`)
//! names its version too: a cache that recompressed a body (Varnish gunzipping
//! for a client that does not take gzip) weakens the tag but still shows that
//! version, and a client that read through it must be able to write.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::Required;

use crate::db::AnyConnection;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{etag_of, versioned_etag};

/// The version an ETag names, if it is one of ours with a version in it, weak or
/// strong (see the module's comment).
fn version_in(etag: &str) -> Option<i32> {
    let etag = etag.trim();
    let tag = etag.strip_prefix("W/").unwrap_or(etag);
    let (version, _) = tag.strip_prefix("\"v")?.split_once('-')?;
    version.parse().ok()
}

/// The `If-Match` header of a request, if it sent one.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<String>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value = match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(None)),
            Some(v) => v
                .to_str()
                .map(|v| IfMatch(Some(v.to_owned())))
                .map_err(|_| {
                    ApiError::BadRequest("If-Match must be ETags in visible ASCII".into())
                }),
        };
        ready(value)
    }
}

/// How the spec documents the header: an operation whose handler takes
/// `IfMatch` lists it (`params(…, IfMatch)`), and its 400 and 412 follow.
impl utoipa::IntoParams for IfMatch {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![ParameterBuilder::new()
            .name("If-Match")
            .description(Some(
                "The ETag of the version this change is based on (from GET): \
                 412 if the resource has changed since. `*` matches any version",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .build()]
    }
}

impl IfMatch {
    /// Inside a write transaction: passes when no `If-Match` was sent, when it is
    /// `*`, or when it names the current version of the resource (`current` gives
    /// the version and the representation `GET` shows); otherwise a 412 carrying
    /// the ETag `GET` gives now.
    ///
    /// No other writer can change the resource between this comparison and the
    /// write that follows: write transactions take turns (see `db::write_tx`).
    pub fn guard<T: Serialize>(
        &self,
        conn: &mut AnyConnection,
        current: impl FnOnce(&mut AnyConnection) -> ApiResult<(i32, T)>,
    ) -> ApiResult<()> {
        let Some(sent) = &self.0 else {
            return Ok(());
        };
        let (version, shown) = current(conn)?;
        if sent.trim() == "*" || sent.split(',').any(|t| version_in(t) == Some(version)) {
            return Ok(());
        }
        let body = serde_json::to_vec(&shown)
            .map_err(|e| ApiError::Internal(format!("cannot serialise for If-Match: {e}")))?;
        let etag = versioned_etag(&version.to_string(), &etag_of(&body));
        Err(ApiError::PreconditionFailed {
            detail: format!(
                "If-Match {sent} does not name the current version {etag} (version {version}): someone changed it since; \
                 fetch it again, reapply the change and resend with the new ETag"
            ),
            etag,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{version_in, versioned_etag};

    #[test]
    fn etags_name_their_version() {
        let tag = versioned_etag("7", "\"3f2a\"");
        assert_eq!(tag, "\"v7-3f2a\"");
        assert_eq!(version_in(&tag), Some(7));
        assert_eq!(version_in(" \"v12-ab\""), Some(12));
        assert_eq!(version_in("W/\"v7-3f2a\""), Some(7));
        assert_eq!(version_in("W/\"3f2a\""), None);
        assert_eq!(version_in("\"3f2a\""), None);
        assert_eq!(version_in("\"vx-3f2a\""), None);
    }
}
