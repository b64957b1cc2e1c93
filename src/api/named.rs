//! What sections, tags and authors share, written once: reading one by slug, and
//! creating, updating and deleting one (the version header, `If-Match`,
//! idempotent creation). Each module keeps what is its own: the
//! representation, the checks on its input, and the documented routes, which call
//! these.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

use super::idempotency::{Created, IdempotencyKey};
use super::json::JsonBody;
use super::locale::Locale;
use super::name_translations::Localize;
use super::pagination::{ListPage, PageParams};
use super::precondition::IfMatch;
use super::SlugPath;
use crate::auth::{Caller, Writer};
use crate::caching::{keyed, last_modified};
use crate::config::ServerSettings;
use crate::content::slug::Slug;
use crate::db::changes::Resource;
use crate::db::modified;
use crate::db::{AnyConnection, Database, PageRequest};
use crate::error::ApiResult;
use crate::http::etag::version_header;
use crate::site::Site;
use crate::surrogate::{self, SurrogateKeys};

/// A kind of named resource, addressed by slug under `/v1/{COLLECTION}`.
pub trait Named: 'static {
    /// The path segment, which is also the table's name: `tags`.
    const COLLECTION: &'static str;
    /// What the change log and surrogate keys call it.
    const RESOURCE: Resource;
    /// One as the store reads it.
    type Record: Send + 'static;
    /// How the API shows one.
    type View: Serialize + Localize + Send + 'static;
    /// A checked create body.
    type New: Send + 'static;
    /// A checked update body.
    type Changes: Send + 'static;

    /// How the API shows `record`, with its page on `site`.
    fn view(record: Self::Record, site: &Site) -> Self::View;
    /// A page of them, in their own order, and how many there are.
    fn list(conn: &mut AnyConnection, page: PageRequest) -> ApiResult<(Vec<Self::Record>, i64)>;
    /// The version and the record of the one with this slug (404 if none).
    fn find(conn: &mut AnyConnection, slug: &Slug) -> ApiResult<(i32, Self::Record)>;
    /// Creates one; its slug and record.
    fn create(
        conn: &mut AnyConnection,
        new: Self::New,
        actor: &str,
    ) -> ApiResult<(String, Self::Record)>;
    /// Applies an edit; the new version and record.
    fn update(
        conn: &mut AnyConnection,
        slug: &Slug,
        changes: Self::Changes,
        actor: &str,
    ) -> ApiResult<(i32, Self::Record)>;
    fn delete(conn: &mut AnyConnection, slug: &Slug, actor: &str) -> ApiResult<()>;
}

/// A request body checked into what the store takes.
pub trait Form<T> {
    fn parse(self) -> ApiResult<T>;
}

pub async fn list<K: Named>(
    req: HttpRequest,
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    params: PageParams,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let page = params.request(&settings.limits)?;
    let order = locale.reading_order(&settings.site.locales)?;
    let (data, total, changed) = db
        .read(caller.reads_from(), move |conn| {
            let (records, total) = K::list(conn, page)?;
            Ok((records, total, modified::anything(conn)?))
        })
        .await?;
    let data: Vec<K::View> = data
        .into_iter()
        .map(|record| in_language(K::view(record, &settings.site), order.as_deref()))
        .collect();
    let response = ListPage::new(data, page, total).respond(&req);
    Ok(last_modified(
        keyed(response, index_keys(K::RESOURCE)),
        changed,
    ))
}

/// `view` in the reader's languages `order` (see `reading_order`), if any.
pub fn in_language<V: Localize>(mut view: V, order: Option<&[String]>) -> V {
    if let Some(order) = order {
        view.localize(order);
    }
    view
}

/// What a list of sections, tags or authors depends on: all of them, and the
/// article counts it shows.
pub fn index_keys(resource: Resource) -> SurrogateKeys {
    let mut keys = SurrogateKeys::new();
    keys.add(surrogate::index(resource))
        .add(surrogate::ARTICLES);
    keys
}

/// The version of the one with this slug and how `GET` shows it: what `If-Match`
/// is checked against.
fn current<K: Named>(
    conn: &mut AnyConnection,
    slug: &Slug,
    site: &Site,
) -> ApiResult<(i32, K::View)> {
    K::find(conn, slug).map(|(version, record)| (version, K::view(record, site)))
}

pub async fn find<K: Named>(
    caller: Caller,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: SlugPath,
    locale: Locale,
) -> ApiResult<HttpResponse> {
    let slug = path.parse()?;
    let order = locale.reading_order(&settings.site.locales)?;
    let mut keys = SurrogateKeys::new();
    // Its own page shows its number of articles too.
    keys.add(surrogate::named(K::RESOURCE, &slug))
        .add(surrogate::articles_of(K::RESOURCE, &slug));
    // It shows its number of articles, which any article may change.
    let (version, mut view, changed) = db
        .read(caller.reads_from(), move |conn| {
            let (version, view) = current::<K>(conn, &slug, &settings.site)?;
            Ok((version, view, modified::anything(conn)?))
        })
        .await?;
    // Without `locale`, an empty order leaves the own texts and gives their language.
    let shown = view.localize(order.as_deref().unwrap_or_default());
    let mut response = HttpResponse::Ok();
    response.insert_header(version_header(version));
    if let Some(languages) = shown.header_value() {
        response.insert_header((header::CONTENT_LANGUAGE, languages));
    }
    Ok(last_modified(keyed(response.json(view), keys), changed))
}

pub async fn create<K: Named, B: Form<K::New>>(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    key: IdempotencyKey,
    body: JsonBody<B>,
) -> ApiResult<HttpResponse> {
    let digest = body.digest().to_owned();
    let new = body.into_inner()?.parse()?;
    let actor = caller.actor();
    key.create(&db, &caller, &digest, move |conn| {
        let (slug, record) = K::create(conn, new, &actor)?;
        Created::new(
            format!("/v1/{}/{slug}", K::COLLECTION),
            &K::view(record, &settings.site),
        )
    })
    .await
}

pub async fn update<K: Named, B: Form<K::Changes>>(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: SlugPath,
    if_match: IfMatch,
    body: JsonBody<B>,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let slug = path.parse()?;
    let changes = body.into_inner()?.parse()?;
    let site = settings.clone();
    let (version, record) = db
        .write(move |conn| {
            if_match.guard(conn, |conn| current::<K>(conn, &slug, &site.site))?;
            K::update(conn, &slug, changes, &actor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(version_header(version))
        .json(K::view(record, &settings.site)))
}

pub async fn delete<K: Named>(
    caller: Writer,
    db: web::Data<Database>,
    settings: web::Data<ServerSettings>,
    path: SlugPath,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let actor = caller.actor();
    let slug = path.parse()?;
    db.write(move |conn| {
        if_match.guard(conn, |conn| current::<K>(conn, &slug, &settings.site))?;
        K::delete(conn, &slug, &actor)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The documented routes of a named resource, each a handler of the shared
/// implementation above: listing them (unless the resource lists its own way),
/// reading one by slug, creating, updating and deleting one. The doc comments
/// given for each become the operation's summary and description in the spec.
/// The module that calls it imports actix-web's `get`, `post`, `patch` and
/// `delete`: the spec reads the routes' paths from those attributes by name.
macro_rules! named_routes {
    (
        noun: $noun:ident, view: $view:ident, tag: $tag:literal,
        $(
            list: $(#[doc = $list_doc:literal])*
            $list:ident($list_path:literal) => $list_answer:literal;
        )?
        find: $(#[doc = $find_doc:literal])*
        $find:ident($item_path:literal) => $find_answer:literal;
        create: $(#[doc = $create_doc:literal])*
        $create:ident($create_path:literal, $create_body:ident) => $create_answer:literal;
        update: $(#[doc = $update_doc:literal])*
        $update:ident($update_path:literal, $update_body:ident) => $update_answer:literal;
        delete: $(#[doc = $delete_doc:literal])*
        $delete:ident($delete_path:literal) => $delete_answer:literal;
    ) => {
        $(
            $(#[doc = $list_doc])*
            #[utoipa::path(
                tag = $tag,
                params($crate::api::pagination::PageParams, $crate::api::locale::LocaleParams),
                responses((status = 200, description = $list_answer, body = $crate::api::pagination::ListPage<$view>)),
            )]
            #[get($list_path)]
            pub async fn $list(
                req: actix_web::HttpRequest,
                caller: $crate::auth::Caller,
                db: actix_web::web::Data<$crate::db::Database>,
                settings: actix_web::web::Data<$crate::config::ServerSettings>,
                params: actix_web::web::Query<$crate::api::pagination::PageParams>,
                locale: $crate::api::locale::Locale,
            ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
                let params = params.into_inner();
                $crate::api::named::list::<$noun>(req, caller, db, settings, params, locale).await
            }
        )?

        $(#[doc = $find_doc])*
        #[utoipa::path(
            tag = $tag,
            params($crate::api::SlugPath, $crate::api::locale::LocaleParams),
            responses((status = 200, description = $find_answer, body = $view)),
        )]
        #[get($item_path)]
        pub async fn $find(
            caller: $crate::auth::Caller,
            db: actix_web::web::Data<$crate::db::Database>,
            settings: actix_web::web::Data<$crate::config::ServerSettings>,
            path: actix_web::web::Path<$crate::api::SlugPath>,
            locale: $crate::api::locale::Locale,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            let path = path.into_inner();
            $crate::api::named::find::<$noun>(caller, db, settings, path, locale).await
        }

        $(#[doc = $create_doc])*
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = ["write"])),
            params($crate::api::idempotency::IdempotencyKey),
            request_body = $create_body,
            responses((status = 201, description = $create_answer, body = $view)),
        )]
        #[post($create_path)]
        pub async fn $create(
            caller: $crate::auth::Writer,
            db: actix_web::web::Data<$crate::db::Database>,
            settings: actix_web::web::Data<$crate::config::ServerSettings>,
            key: $crate::api::idempotency::IdempotencyKey,
            body: $crate::api::json::JsonBody<$create_body>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            $crate::api::named::create::<$noun, _>(caller, db, settings, key, body).await
        }

        $(#[doc = $update_doc])*
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = ["write"])),
            params($crate::api::SlugPath, $crate::api::precondition::IfMatch),
            request_body = $update_body,
            responses((status = 200, description = $update_answer, body = $view)),
        )]
        #[patch($update_path)]
        pub async fn $update(
            caller: $crate::auth::Writer,
            db: actix_web::web::Data<$crate::db::Database>,
            settings: actix_web::web::Data<$crate::config::ServerSettings>,
            path: actix_web::web::Path<$crate::api::SlugPath>,
            if_match: $crate::api::precondition::IfMatch,
            body: $crate::api::json::JsonBody<$update_body>,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            $crate::api::named::update::<$noun, _>(
                caller,
                db,
                settings,
                path.into_inner(),
                if_match,
                body,
            )
            .await
        }

        $(#[doc = $delete_doc])*
        #[utoipa::path(
            tag = $tag,
            security(("bearer" = ["write"])),
            params($crate::api::SlugPath, $crate::api::precondition::IfMatch),
            responses((status = 204, description = $delete_answer)),
        )]
        #[delete($delete_path)]
        pub async fn $delete(
            caller: $crate::auth::Writer,
            db: actix_web::web::Data<$crate::db::Database>,
            settings: actix_web::web::Data<$crate::config::ServerSettings>,
            path: actix_web::web::Path<$crate::api::SlugPath>,
            if_match: $crate::api::precondition::IfMatch,
        ) -> $crate::error::ApiResult<actix_web::HttpResponse> {
            $crate::api::named::delete::<$noun>(caller, db, settings, path.into_inner(), if_match)
                .await
        }
    };
}

pub(crate) use named_routes;
