//! `/v1/tokens`: API tokens, managed by `admin` tokens. A token's secret is shown
//! once, when it is created; only its hash is stored.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::idempotency::Created;
use super::json::JsonBody;
use crate::auth::{self, Admin, Scope};
use crate::db::tokens::{self as store, TokenRow, TokenState};
use crate::db::{now, Database};
use crate::error::{ApiError, ApiResult};

/// Whether a token works now.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenStatus {
    Active,
    Revoked,
    Expired,
}

/// A token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "name": "site-web", "scope": "read", "status": "active",
    "created_at": "2024-11-27T08:00:00Z", "expires_at": "2025-11-27T08:00:00Z", "revoked_at": null
}))]
pub struct Token {
    pub id: i32,
    pub name: String,
    pub scope: Scope,
    pub status: TokenStatus,
    pub created_at: DateTime<Utc>,
    /// When it stops working; never when `null`.
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<TokenRow> for Token {
    type Error = ApiError;

    fn try_from(row: TokenRow) -> ApiResult<Self> {
        let status = match row.state(now()) {
            TokenState::Active => TokenStatus::Active,
            TokenState::Revoked(_) => TokenStatus::Revoked,
            TokenState::Expired(_) => TokenStatus::Expired,
        };
        let scope = Scope::parse(&row.scope).ok_or_else(|| {
            ApiError::Internal(format!("token {} has scope {}", row.id, row.scope))
        })?;
        Ok(Self {
            id: row.id,
            name: row.name,
            scope,
            status,
            created_at: row.created_at.and_utc(),
            expires_at: row.expires_at.map(|t| t.and_utc()),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
        })
    }
}

/// A new token: its secret, shown only in this answer, and its description.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewToken {
    /// Send as `Authorization: Bearer <secret>`. Not stored: it cannot be shown again.
    #[schema(example = "folio_4f1c9a0e8b7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b")]
    pub secret: String,
    pub token: Token,
}

/// A token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "site-web", "scope": "read", "expires_at": "2025-11-27T08:00:00Z"}))]
pub struct TokenCreate {
    /// A unique name, to recognise it in lists and logs.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub scope: Scope,
    /// When it stops working (in the future); it never expires without it.
    pub expires_at: Option<DateTime<Utc>>,
}

/// All tokens, newest state first by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub data: Vec<Token>,
}

/// The `{id}` of a token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TokenPath {
    /// The token's id.
    #[param(minimum = 1, example = 3)]
    pub id: i32,
}

/// List tokens
///
/// Every token, revoked and expired ones included, without secrets. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The tokens", body = TokenList)),
)]
#[get("/tokens")]
pub async fn list_tokens(_caller: Admin, db: web::Data<Database>) -> ApiResult<HttpResponse> {
    let rows = db.run(store::list).await?;
    let data = rows
        .into_iter()
        .map(Token::try_from)
        .collect::<ApiResult<_>>()?;
    Ok(HttpResponse::Ok().json(TokenList { data }))
}

/// Get a token
///
/// A token's description, never its secret. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = ["admin"])),
    params(TokenPath),
    responses((status = 200, description = "The token", body = Token)),
)]
#[get("/tokens/{id}")]
pub async fn find_token(
    _caller: Admin,
    db: web::Data<Database>,
    path: web::Path<TokenPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let row = db.run(move |conn| store::find(conn, id)).await?;
    Ok(HttpResponse::Ok().json(Token::try_from(row)?))
}

/// Create a token
///
/// Answers the secret once; store it, it cannot be shown again. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = ["admin"])),
    request_body = TokenCreate,
    responses((status = 201, description = "The token was created", body = NewToken,
        headers(("Location" = String, description = "The token's URL")))),
)]
#[post("/tokens")]
pub async fn create_token(
    caller: Admin,
    db: web::Data<Database>,
    body: JsonBody<TokenCreate>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner()?;
    let name = auth::token_name(&new.name)?;
    if new
        .expires_at
        .is_some_and(|t| !crate::content::dates::in_supported_years(&t))
    {
        return Err(ApiError::invalid(
            "expires_at",
            crate::content::dates::YEAR_RANGE_MESSAGE,
        ));
    }
    let expires_at = new.expires_at.map(|t| t.naive_utc());
    if expires_at.is_some_and(|t| t <= now()) {
        return Err(ApiError::invalid("expires_at", "must be in the future"));
    }
    let (secret, hash) = auth::generate_token();
    let actor = caller.actor();
    let row = db
        .write(move |conn| {
            store::create(conn, (&name, new.scope.as_str(), &hash), expires_at, &actor)
        })
        .await?;
    let token = Token::try_from(row)?;
    // Never through an idempotency record: that would store the secret.
    Ok(Created::new(
        format!("/v1/tokens/{}", token.id),
        &NewToken { secret, token },
    )?
    .response())
}

/// Revoke a token
///
/// It stops working on the next request; its description stays listed. Needs `admin`.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = ["admin"])),
    params(TokenPath),
    responses((status = 204, description = "The token is revoked")),
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    caller: Admin,
    db: web::Data<Database>,
    path: web::Path<TokenPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let actor = caller.actor();
    db.write(move |conn| store::revoke_id(conn, id, &actor))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_tokens)
        .service(find_token)
        .service(create_token)
        .service(revoke_token);
}
