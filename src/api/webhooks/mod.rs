//! `/v1/webhooks`: subscriptions to change events, their secrets and their
//! deliveries, managed by `admin` tokens. A secret is shown when it is made (at
//! creation and on rotation), never again.

mod views;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use views::{check, policy, ROTATION_OVERLAP_HOURS};
pub use views::{
    Delivery, DeliveryAttempt, DeliveryPath, DeliveryState, Webhook, WebhookCreate, WebhookList,
    WebhookPath, WebhookUpdate, WebhookWithSecret,
};

use super::idempotency::Created;
use super::json::JsonBody;
use super::pagination::{ListPage, PageParams};
use super::precondition::IfMatch;
use crate::auth::Admin;
use crate::config::ServerSettings;
use crate::db::webhooks::{self as store, NewMessage, Settings};
use crate::db::{now, AnyConnection, Database};
use crate::error::ApiResult;
use crate::http::etag::version_header;
use crate::webhooks;

/// List webhooks
///
/// Every subscription, without secrets. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The subscriptions", body = WebhookList)),
)]
#[get("/webhooks")]
pub async fn list_webhooks(_caller: Admin, db: web::Data<Database>) -> ApiResult<HttpResponse> {
    let rows = db.run(store::list).await?;
    let data = rows.into_iter().map(Webhook::from).collect();
    Ok(HttpResponse::Ok().json(WebhookList { data }))
}

/// Get a webhook
///
/// A subscription, never its secret. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath),
    responses((status = 200, description = "The subscription", body = Webhook)),
)]
#[get("/webhooks/{id}")]
pub async fn find_webhook(
    _caller: Admin,
    db: web::Data<Database>,
    path: web::Path<WebhookPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let row = db.run(move |conn| store::find(conn, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(row.version))
        .json(Webhook::from(row)))
}

/// Create a webhook
///
/// Messages go out for changes made after it exists. Answers the signing secret
/// once. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    request_body = WebhookCreate,
    responses((status = 201, description = "The subscription was created", body = WebhookWithSecret,
        headers(("Location" = String, description = "The subscription's URL")))),
)]
#[post("/webhooks")]
pub async fn create_webhook(
    caller: Admin,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    body: JsonBody<WebhookCreate>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner()?;
    let wanted = Settings {
        url: new.url,
        events: new.events,
        section: new.section,
        language: new.language,
        description: new.description,
        enabled: new.enabled.unwrap_or(true),
    };
    check(&wanted, &policy(&settings))?;
    let secret = webhooks::new_secret();
    let actor = caller.actor();
    let stored = secret.clone();
    let row = db
        .write(move |conn| store::create(conn, &wanted, &stored, &actor))
        .await?;
    let webhook = Webhook::from(row);
    // Never through an idempotency record: that would store the secret.
    Ok(Created::new(
        format!("/v1/webhooks/{}", webhook.id),
        &WebhookWithSecret { secret, webhook },
    )?
    .response())
}

/// Update a webhook
///
/// Changes only the fields sent; turning it on again (`"enabled": true`) resumes
/// the messages it was owed, in order. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath, IfMatch),
    request_body = WebhookUpdate,
    responses((status = 200, description = "The updated subscription", body = Webhook)),
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    caller: Admin,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<WebhookPath>,
    if_match: IfMatch,
    body: JsonBody<WebhookUpdate>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let edit = body.into_inner()?;
    let policy = policy(&settings);
    let actor = caller.actor();
    let row = db
        .write(move |conn| {
            if_match.guard(conn, |conn| shown(conn, id))?;
            let current = store::find(conn, id)?;
            let wanted = Settings {
                events: edit.events.unwrap_or_else(|| current.event_patterns()),
                url: edit.url.unwrap_or(current.url),
                section: edit.section.unwrap_or(current.section),
                language: edit.language.unwrap_or(current.language),
                description: edit.description.unwrap_or(current.description),
                enabled: edit.enabled.unwrap_or(current.enabled),
            };
            check(&wanted, &policy)?;
            store::update(conn, id, &wanted, &actor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(row.version))
        .json(Webhook::from(row)))
}

/// Delete a webhook
///
/// With its pending messages and its delivery log. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath, IfMatch),
    responses((status = 204, description = "The subscription is deleted")),
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    caller: Admin,
    db: web::Data<Database>,
    path: web::Path<WebhookPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let actor = caller.actor();
    db.write(move |conn| {
        if_match.guard(conn, |conn| shown(conn, id))?;
        store::delete(conn, id, &actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotate a webhook's secret
///
/// Answers a new secret, once. For the next 24 hours messages carry two
/// signatures, one per secret, so the receiver can switch without losing any.
/// Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath),
    responses((status = 200, description = "The new secret", body = WebhookWithSecret)),
)]
#[post("/webhooks/{id}/secret")]
pub async fn rotate_webhook_secret(
    caller: Admin,
    db: web::Data<Database>,
    path: web::Path<WebhookPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let secret = webhooks::new_secret();
    let stored = secret.clone();
    let actor = caller.actor();
    let row = db
        .write(move |conn| {
            let overlap = chrono::Duration::hours(ROTATION_OVERLAP_HOURS);
            store::rotate_secret(conn, id, (&stored, overlap), &actor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(row.version))
        .json(WebhookWithSecret {
            secret,
            webhook: Webhook::from(row),
        }))
}

/// Ping a webhook
///
/// Queues a `webhook.ping` message, sent within a second or so; its delivery shows
/// how the receiver answered. Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath),
    responses((status = 202, description = "The ping is queued", body = Delivery)),
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    _caller: Admin,
    db: web::Data<Database>,
    path: web::Path<WebhookPath>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let delivery = db
        .write(move |conn| {
            store::find(conn, id)?;
            let message_id = format!("ping_{}", uuid::Uuid::new_v4().simple());
            let payload = serde_json::json!({
                "type": webhooks::PING_EVENT,
                "timestamp": now().and_utc(),
                "data": {"webhook": id},
            });
            store::enqueue(
                conn,
                NewMessage {
                    webhook_id: id,
                    resource_key: message_id.clone(),
                    message_id,
                    event: webhooks::PING_EVENT.to_owned(),
                    payload: payload.to_string(),
                },
            )
        })
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from((delivery, Vec::new()))))
}

/// List a webhook's deliveries
///
/// Its messages, newest first, each with every attempt (status, latency, error).
/// Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(WebhookPath, PageParams),
    responses((status = 200, description = "A page of deliveries", body = ListPage<Delivery>)),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    _caller: Admin,
    req: HttpRequest,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: web::Path<WebhookPath>,
    params: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner().id;
    let page = params.request(&settings.limits)?;
    let (rows, total) = db
        .run(move |conn| store::deliveries(conn, id, page))
        .await?;
    let data = rows.into_iter().map(Delivery::from).collect();
    Ok(ListPage::new(data, page, total).respond(&req))
}

/// Retry a delivery
///
/// Sends the message again, with the same `webhook-id`, within a second or so
/// (after any earlier message about the same resource). Needs `admin`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin"])),
    params(DeliveryPath),
    responses((status = 202, description = "The message is due again", body = Delivery)),
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    _caller: Admin,
    db: web::Data<Database>,
    path: web::Path<DeliveryPath>,
) -> ApiResult<HttpResponse> {
    let DeliveryPath { id, delivery_id } = path.into_inner();
    let delivery = db
        .write(move |conn| store::retry(conn, id, delivery_id))
        .await?;
    Ok(HttpResponse::Accepted().json(Delivery::from(delivery)))
}

/// A subscription's version and representation, for `If-Match`.
fn shown(conn: &mut AnyConnection, id: i32) -> ApiResult<(i32, Webhook)> {
    store::find(conn, id).map(|row| (row.version, Webhook::from(row)))
}

pub fn configure(app: &mut utoipa_actix_web::service_config::ServiceConfig) {
    app.service(list_webhooks)
        .service(create_webhook)
        .service(find_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(ping_webhook)
        .service(list_deliveries)
        .service(retry_delivery);
}
