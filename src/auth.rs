//! Bearer tokens: creation, hashing and the request extractor that checks them.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpMessage, HttpRequest};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::tokens::{self, TokenState};
use crate::db::Database;
use crate::error::{ApiError, ApiResult};

/// What a token may do; each scope includes everything the ones before it may.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Read everything, drafts and scheduled articles included (preview).
    Read,
    /// Read everything and create, change or delete content.
    Write,
    /// Everything, and manage tokens.
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

const TOKEN_PREFIX: &str = "folio_";

/// A new random token (256 bits) and the hash to store for it.
pub fn generate_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = hash_token(&token);
    (token, hash)
}

/// Tokens carry 256 random bits, so an unsalted fast hash is enough: the
/// database never holds a usable secret, and lookups stay one indexed query.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token's name, trimmed: 1 to 100 printable characters.
pub fn token_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 100 {
        return Err(ApiError::invalid(
            "name",
            "must be 1 to 100 printable characters",
        ));
    }
    Ok(name.to_owned())
}

/// The moment a token made now with this lifetime expires.
pub fn expiry_after(lifetime: std::time::Duration) -> ApiResult<chrono::NaiveDateTime> {
    chrono::TimeDelta::from_std(lifetime)
        .ok()
        .and_then(|d| crate::db::now().checked_add_signed(d))
        .filter(|_| !lifetime.is_zero())
        .ok_or_else(|| {
            ApiError::invalid(
                "expires_in",
                "must be a positive lifetime of at most a few centuries",
            )
        })
}

/// Who is calling: the public, or the holder of a valid token.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Token { name: String, scope: Scope },
}

impl Caller {
    /// Who the audit log names for this caller's writes.
    pub fn actor(&self) -> String {
        match self {
            Caller::Token { name, .. } => name.clone(),
            Caller::Anonymous => "anonymous".into(),
        }
    }

    /// Where this caller's reads may be served from: a token holder reads from the
    /// primary, which has what it wrote through any node; the public from a replica.
    pub fn reads_from(&self) -> crate::db::ReadFrom {
        match self {
            Caller::Token { .. } => crate::db::ReadFrom::Primary,
            Caller::Anonymous => crate::db::ReadFrom::Replica,
        }
    }

    /// Whether drafts and scheduled articles are visible to this caller.
    pub fn can_preview(&self) -> bool {
        matches!(self, Caller::Token { .. })
    }

    pub fn require(&self, needed: Scope) -> ApiResult<()> {
        match self {
            Caller::Anonymous => Err(ApiError::Unauthorized(format!(
                "this operation needs a token with the {:?} scope: send Authorization: Bearer <token>",
                needed.as_str()
            ))),
            Caller::Token { scope, name } if *scope < needed => Err(ApiError::Forbidden(format!(
                "the token {name:?} has the {:?} scope; this operation needs {:?}",
                scope.as_str(),
                needed.as_str()
            ))),
            Caller::Token { .. } => Ok(()),
        }
    }
}

/// The token of an `Authorization: Bearer …` header (the scheme in any case, as
/// RFC 9110 has it), if one was sent.
pub fn bearer(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized("the Authorization header is not valid text".into()))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must be \"Bearer <token>\"".into(),
        ));
    }
    Ok(Some(token.trim().to_owned()))
}

/// Why a request's credentials were refused, kept in its extensions by
/// [`authenticate`] until the rate limiter has counted the request.
pub struct Refusal(pub ApiError);

/// Checks the bearer token of every `/v1` request before anything else runs: a
/// verified token is kept as the request's [`Caller`] (so the rate limiter counts
/// against it), and an unknown, revoked or expired one is refused on every route,
/// public reads included, instead of passing as anonymous.
pub async fn authenticate(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let in_api = req.path() == "/v1" || req.path().starts_with("/v1/");
    if in_api && req.headers().contains_key(header::AUTHORIZATION) {
        match verify(req.request()).await {
            Ok(caller) => {
                req.extensions_mut().insert(caller);
            }
            Err(refusal) => {
                req.extensions_mut().insert(Refusal(refusal));
            }
        }
    }
    next.call(req).await
}

/// The caller a request's `Authorization` header names, checked against the tokens.
fn verify(req: &HttpRequest) -> Pin<Box<dyn Future<Output = ApiResult<Caller>>>> {
    let token = bearer(req);
    let db = req.app_data::<web::Data<Database>>().cloned();
    Box::pin(async move {
        let Some(token) = token? else {
            return Ok(Caller::Anonymous);
        };
        let db = db.ok_or_else(|| ApiError::Internal("database missing from app data".into()))?;
        let hash = hash_token(&token);
        // The lookup is by hash: timing reveals nothing about the secret itself.
        let row = db
            .run(move |conn| tokens::find_by_hash(conn, &hash))
            .await?;
        let row = row.ok_or_else(|| ApiError::Unauthorized("the token is unknown".into()))?;
        match row.state(db.clock.now()) {
            TokenState::Active => {}
            TokenState::Revoked(at) => {
                return Err(ApiError::Unauthorized(format!(
                    "the token {:?} was revoked at {}",
                    row.name,
                    at.and_utc().to_rfc3339()
                )))
            }
            TokenState::Expired(at) => {
                return Err(ApiError::Unauthorized(format!(
                    "the token {:?} expired at {}",
                    row.name,
                    at.and_utc().to_rfc3339()
                )))
            }
        }
        let scope = Scope::parse(&row.scope).ok_or_else(|| {
            ApiError::Internal(format!("token {} has scope {}", row.name, row.scope))
        })?;
        Ok(Caller::Token {
            name: row.name,
            scope,
        })
    })
}

/// A scope as a type, for [`Authorized`]: the handler names it once, in its
/// signature; the extractor enforces it and the spec documents it (each handler's
/// `security` role, which `tests/integration/openapi.rs` checks against what the
/// server does).
pub trait NeededScope {
    const SCOPE: Scope;
}

pub struct ReadScope;
pub struct WriteScope;
pub struct AdminScope;

impl NeededScope for ReadScope {
    const SCOPE: Scope = Scope::Read;
}
impl NeededScope for WriteScope {
    const SCOPE: Scope = Scope::Write;
}
impl NeededScope for AdminScope {
    const SCOPE: Scope = Scope::Admin;
}

/// A caller whose token has at least scope `S`; otherwise the request is refused
/// with 401 (no token) or 403 (a weaker one) before the handler runs.
pub struct Authorized<S: NeededScope> {
    caller: Caller,
    scope: PhantomData<S>,
}

/// A caller with at least a `read` token.
pub type Reader = Authorized<ReadScope>;
/// A caller with at least a `write` token.
pub type Writer = Authorized<WriteScope>;
/// A caller with an `admin` token.
pub type Admin = Authorized<AdminScope>;

impl<S: NeededScope> std::ops::Deref for Authorized<S> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl<S: NeededScope + 'static> FromRequest for Authorized<S> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            let caller = caller.await?;
            caller.require(S::SCOPE)?;
            Ok(Self {
                caller,
                scope: PhantomData,
            })
        })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    /// The caller [`authenticate`] verified, or (outside `/v1`) checked here.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>() {
            let caller = caller.clone();
            return Box::pin(async move { Ok(caller) });
        }
        verify(req)
    }
}
