//! The HTTP toolkit under the API and the middleware: the ETag and the version it
//! names, refusals, and the marks a handler leaves for the layers around it.

pub mod etag;
pub mod marks;
pub mod refusal;
