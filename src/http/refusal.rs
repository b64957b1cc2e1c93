//! Answering a request with a problem before it reaches a handler.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};

use crate::error::ApiError;

/// Answers `req` with `error`'s problem, the error kept on the response for the log.
pub fn refuse(req: ServiceRequest, error: ApiError) -> ServiceResponse<BoxBody> {
    let (req, _) = req.into_parts();
    ServiceResponse::from_err(error, req)
}
