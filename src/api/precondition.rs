//! `If-Match`: a write goes ahead only if the resource is still the version the
//! client last read, so that two editors cannot silently overwrite each other.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::Serialize;

use crate::db::{self, AnyConnection};
use crate::error::{ApiError, ApiResult};
use crate::middleware::etag_of;

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

impl IfMatch {
    /// Inside a write transaction: passes when no `If-Match` was sent, when it is `*`, or when it names the
    /// ETag that `GET` gives for `current` now (strong comparison: a weak
    /// `W/` tag never matches); otherwise a 412 carrying the current ETag.
    ///
    /// The row (of `table`, found by `slug`) is locked first, so no other writer
    /// can change it between this comparison and the write that follows.
    pub fn guard<T: Serialize>(
        &self,
        conn: &mut AnyConnection,
        table: &'static str,
        slug: &str,
        current: impl FnOnce(&mut AnyConnection) -> ApiResult<T>,
    ) -> ApiResult<()> {
        let Some(sent) = &self.0 else {
            return Ok(());
        };
        db::lock_row(conn, table, slug)?;
        let body = serde_json::to_vec(&current(conn)?)
            .map_err(|e| ApiError::Internal(format!("cannot serialise for If-Match: {e}")))?;
        let etag = etag_of(&body);
        if sent.trim() == "*" || sent.split(',').map(str::trim).any(|t| t == etag) {
            return Ok(());
        }
        Err(ApiError::PreconditionFailed {
            detail: format!(
                "If-Match {sent} does not name the current version {etag}: someone changed it since; \
                 fetch it again, reapply the change and resend with the new ETag"
            ),
            etag,
        })
    }
}
