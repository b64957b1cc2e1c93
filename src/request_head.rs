//! Limits on a request's head (its target and headers), answered like every other
//! error: `414` and `431` problem documents.
//!
//! One rule, applied in two places. The `request_size` middleware judges every
//! request the HTTP parser accepted. The parser (actix-http) gives up by itself on
//! more than 96 headers or a head over 128 KiB, with a bare status and no body;
//! `HeadGuard` sits between the socket and the parser, reads a connection's first
//! request head before the parser sees any of it, and answers a head past the
//! limits itself. (Later requests on a kept-alive connection are framed by the
//! parser alone: finding where they start would take a second HTTP parser.)

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::{ApiError, PROBLEM_JSON};
use crate::http::refusal::refuse;

/// The longest request target (path and query) answered: longer is a 414. The
/// longest valid article list (500 characters of `q`, 100 ids, 20 tags of each
/// kind, all percent-encoded) is about 16 KiB.
pub const MAX_URI_BYTES: usize = 32 * 1024;
/// The most request headers answered: more is a 431.
pub const MAX_HEADERS: usize = 64;
/// The most bytes of request headers (names and values) answered: more is a 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The most bytes of a first request head the guard holds while waiting for its
/// end: a head within the limits above (with its method, version, separators and
/// line ends) is shorter; a longer one is refused without waiting for the rest.
const MAX_HEAD_BYTES: usize = MAX_URI_BYTES + MAX_HEADER_BYTES + 4 * MAX_HEADERS + 64;
/// The most bytes read and dropped after a refusal before the connection closes.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

/// The refusal a head of these sizes earns, if any.
fn judge(target: usize, headers: usize, header_bytes: usize) -> Option<ApiError> {
    if target > MAX_URI_BYTES {
        Some(ApiError::UriTooLong(format!(
            "the request target is {target} bytes; at most {MAX_URI_BYTES} are read"
        )))
    } else if headers > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        Some(too_large(&format!(
            "the request has {headers} headers of {header_bytes} bytes"
        )))
    } else {
        None
    }
}

fn too_large(what: &str) -> ApiError {
    ApiError::HeadersTooLarge(format!(
        "{what}; at most {MAX_HEADERS} headers of {MAX_HEADER_BYTES} bytes are read"
    ))
}

/// Refuses requests whose target or headers are larger than any client needs.
pub async fn request_size(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    match judge(target, req.headers().len(), header_bytes) {
        Some(refusal) => Ok(refuse(req, refusal)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// What the bytes of a first request head read so far amount to.
enum Head {
    /// Not all there yet, and still within the limits.
    Partial,
    /// Whole (or not HTTP at all, which the parser answers): hand it on.
    Whole,
    Refused(ApiError),
}

fn read_head(bytes: &[u8]) -> Head {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut slots).parse(bytes) {
        Ok(httparse::Status::Complete(_)) => Head::Whole,
        Ok(httparse::Status::Partial) if bytes.len() <= MAX_HEAD_BYTES => Head::Partial,
        Ok(httparse::Status::Partial) => Head::Refused(if bytes.contains(&b'\n') {
            too_large(&format!(
                "the request's head is over {MAX_HEAD_BYTES} bytes"
            ))
        } else {
            judge(bytes.len(), 0, 0).unwrap_or_else(|| too_large("the request line is too long"))
        }),
        Err(httparse::Error::TooManyHeaders) => Head::Refused(too_large(&format!(
            "the request has more than {MAX_HEADERS} headers"
        ))),
        Err(_) => Head::Whole,
    }
}

/// A refusal as HTTP/1.1 bytes: the problem document the API would answer, sent
/// before the connection is closed.
fn response_bytes(refusal: &ApiError) -> Vec<u8> {
    let status = refusal.status_code();
    let body = serde_json::to_vec(&refusal.problem()).unwrap_or_default();
    let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT");
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\n\
         date: {date}\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
    )
    .into_bytes();
    bytes.extend_from_slice(&body);
    bytes
}

enum State {
    /// Gathering the connection's first request head.
    Reading(Vec<u8>),
    /// Handing what was gathered to the HTTP parser, from this offset.
    Releasing(Vec<u8>, usize),
    /// Writing a refusal, from this offset.
    Refusing(Vec<u8>, usize),
    /// The refusal is sent and the sending side closed; reading what the client
    /// still sends (this many bytes so far), so that closing the connection with
    /// it unread does not reset the connection before the client reads the answer.
    Draining(usize),
    /// Out of the way.
    Passing,
}

/// A connection whose first request head is judged before the HTTP parser reads it.
pub struct HeadGuard<S> {
    stream: S,
    state: State,
    peer: String,
}

impl<S> HeadGuard<S> {
    pub fn new(stream: S, peer: Option<std::net::SocketAddr>) -> Self {
        Self {
            stream,
            state: State::Reading(Vec::new()),
            peer: peer.map_or_else(|| "-".to_owned(), |p| p.ip().to_string()),
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> HeadGuard<S> {
    /// Reads until the first head is whole, refused, or the client stops sending.
    fn gather(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let State::Reading(gathered) = &mut self.state else {
                return Poll::Ready(Ok(()));
            };
            let mut chunk = [0u8; 8192];
            let mut chunk = ReadBuf::new(&mut chunk);
            ready!(Pin::new(&mut self.stream).poll_read(cx, &mut chunk))?;
            let ended = chunk.filled().is_empty();
            gathered.extend_from_slice(chunk.filled());
            self.state = match read_head(gathered) {
                Head::Partial if !ended => continue,
                Head::Partial | Head::Whole => State::Releasing(std::mem::take(gathered), 0),
                Head::Refused(refusal) => {
                    log::info!(
                        "{} refused before parsing: {} {}",
                        self.peer,
                        refusal.status_code().as_u16(),
                        refusal.problem().detail
                    );
                    State::Refusing(response_bytes(&refusal), 0)
                }
            };
        }
    }

    /// Sends the refusal, closes the sending side, drains what the client still
    /// sends; then the parser reads the end of the input and closes the connection.
    fn refuse(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.state {
                State::Refusing(bytes, written) if *written < bytes.len() => {
                    let n = ready!(Pin::new(&mut self.stream).poll_write(cx, &bytes[*written..]))?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    *written += n;
                }
                State::Refusing(..) => {
                    ready!(Pin::new(&mut self.stream).poll_shutdown(cx))?;
                    self.state = State::Draining(0);
                }
                State::Draining(drained) if *drained < MAX_DRAINED_BYTES => {
                    let mut chunk = [0u8; 8192];
                    let mut chunk = ReadBuf::new(&mut chunk);
                    ready!(Pin::new(&mut self.stream).poll_read(cx, &mut chunk))?;
                    if chunk.filled().is_empty() {
                        return Poll::Ready(Ok(()));
                    }
                    *drained += chunk.filled().len();
                }
                _ => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for HeadGuard<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.gather(cx))?;
        match &mut this.state {
            State::Reading(_) => unreachable!("gather returns once the head is judged"),
            State::Releasing(gathered, released) => {
                let n = (gathered.len() - *released).min(buf.remaining());
                buf.put_slice(&gathered[*released..*released + n]);
                *released += n;
                if *released == gathered.len() {
                    this.state = State::Passing;
                }
                Poll::Ready(Ok(()))
            }
            State::Refusing(..) | State::Draining(_) => this.refuse(cx),
            State::Passing => Pin::new(&mut this.stream).poll_read(cx, buf),
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadGuard<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(target_len: usize, headers: usize) -> Vec<u8> {
        let mut text = format!("GET /{} HTTP/1.1\r\nHost: x\r\n", "a".repeat(target_len));
        for i in 0..headers {
            text.push_str(&format!("X-H{i}: v\r\n"));
        }
        text.push_str("\r\n");
        text.into_bytes()
    }

    fn status(bytes: &[u8]) -> Option<u16> {
        match read_head(bytes) {
            Head::Refused(e) => Some(e.status_code().as_u16()),
            Head::Partial | Head::Whole => None,
        }
    }

    #[test]
    fn heads_within_the_limits_go_to_the_parser() {
        assert!(matches!(read_head(&head(10, 63)), Head::Whole));
        assert!(matches!(read_head(&head(10, 63)[..40]), Head::Partial));
        // Too long for the middleware but not for the guard: the middleware answers.
        assert!(matches!(
            read_head(&head(MAX_URI_BYTES + 10, 0)),
            Head::Whole
        ));
        assert!(matches!(
            read_head(b"\x16\x03\x01 not http\r\n\r\n"),
            Head::Whole
        ));
    }

    #[test]
    fn heads_past_the_limits_are_refused_before_the_end() {
        assert_eq!(status(&head(10, 200)), Some(431));
        assert_eq!(status(&head(10, 200)[..1500]), Some(431));
        assert_eq!(status(&head(100_000, 0)[..MAX_HEAD_BYTES + 1]), Some(414));
        let huge_header = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "v".repeat(60_000));
        assert_eq!(
            status(&huge_header.as_bytes()[..MAX_HEAD_BYTES + 1]),
            Some(431)
        );
    }
}
