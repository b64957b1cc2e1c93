//! Page-numbered lists: the query parameters, the response envelope and RFC 8288 `Link` headers.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Limits;
use crate::db::PageRequest;
use crate::error::{ApiError, ApiResult};

pub use crate::config::MAX_PER_PAGE;
pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PAGE: u32 = 100_000;

/// Which page of a list to return.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, default = 1, example = 1)]
    pub page: Option<u32>,
    /// Items per page: at most 100, or the server's lower `FOLIO_MAX_PER_PAGE`
    /// (then the default is at most that).
    #[param(minimum = 1, maximum = 100, default = 20, example = 20)]
    pub per_page: Option<u32>,
}

impl PageParams {
    /// The page asked for, within this server's `max_per_page`.
    pub fn request(&self, limits: &Limits) -> ApiResult<PageRequest> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(default_per_page(limits));
        check_per_page(per_page, limits)?;
        if page == 0 || page > MAX_PAGE {
            return Err(ApiError::BadRequest(format!(
                "page must be between 1 and {MAX_PAGE}"
            )));
        }
        Ok(PageRequest {
            page: i64::from(page),
            per_page: i64::from(per_page),
        })
    }
}

/// 20, or the configured maximum when that is lower.
pub fn default_per_page(limits: &Limits) -> u32 {
    DEFAULT_PER_PAGE.min(limits.max_per_page)
}

/// `per_page` within the limit this server is configured with.
pub fn check_per_page(per_page: u32, limits: &Limits) -> ApiResult<()> {
    if per_page == 0 || per_page > limits.max_per_page {
        return Err(ApiError::BadRequest(format!(
            "per_page must be between 1 and {}",
            limits.max_per_page
        )));
    }
    Ok(())
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListPage<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// This page's number, from 1.
    #[schema(example = 1)]
    pub page: i64,
    /// The page size used.
    #[schema(example = 20)]
    pub per_page: i64,
    /// How many items the whole list holds.
    #[schema(example = 42)]
    pub total: i64,
}

impl<T: Serialize> ListPage<T> {
    pub fn new(data: Vec<T>, page: PageRequest, total: i64) -> Self {
        Self {
            data,
            page: page.page,
            per_page: page.per_page,
            total,
        }
    }

    /// The `200` response with `Link` headers to the neighbouring pages.
    pub fn respond(self, req: &HttpRequest) -> HttpResponse {
        let mut links = Vec::new();
        let last = (self.total + self.per_page - 1) / self.per_page;
        if self.page < last {
            links.push(format!("<{}>; rel=\"next\"", page_url(req, self.page + 1)));
        }
        if self.page > 1 {
            let prev = self.page.min(last.max(1) + 1) - 1;
            links.push(format!("<{}>; rel=\"prev\"", page_url(req, prev.max(1))));
        }
        let mut response = HttpResponse::Ok();
        if !links.is_empty() {
            response.insert_header((header::LINK, links.join(", ")));
        }
        response.json(self)
    }
}

fn page_url(req: &HttpRequest, page: i64) -> String {
    with_query(req, &[("page", &page.to_string())], &["page"])
}

/// The request's own path and query, without the `drop` parameters and with `set` added.
pub fn with_query(req: &HttpRequest, set: &[(&str, &str)], drop: &[&str]) -> String {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| !drop.contains(&k.as_str()))
            .collect();
    pairs.extend(set.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}
