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
