//! The application: the shared database and templates, and how a request runs.
//!
//! Every page handler hands [`App::run`] a closure that makes its database calls and
//! says what to answer. The closure runs on tokio's blocking pool (the calls take file
//! locks and do file I/O, which must not stall the async workers), on one thread from
//! start to end.
//! The page is rendered there too, with the record of the calls appended.

use std::sync::Arc;

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use bazoola::{Database, Error};
use minijinja::{context, Environment};

use crate::flash::{Flash, Incoming};
use crate::trace::{Op, Traced};
use crate::view::{self, Page, Reply};

/// The state every handler shares: cheap to clone.
#[derive(Clone)]
pub struct App {
    db: Arc<Database>,
    templates: Arc<Environment<'static>>,
}

impl App {
    pub fn new(db: Arc<Database>) -> App {
        App { db, templates: Arc::new(view::templates()) }
    }

    pub fn db(&self) -> &Arc<Database> {
        &self.db
    }

    /// Runs `handler` with a recording database handle on the blocking pool, and turns
    /// its reply (or error) into the response.
    pub async fn run(
        &self,
        incoming: Incoming,
        handler: impl FnOnce(&Traced) -> bazoola::Result<Reply> + Send + 'static,
    ) -> Response {
        let app = self.clone();
        let job = tokio::task::spawn_blocking(move || {
            let traced = Traced::new(&app.db);
            let outcome = handler(&traced);
            app.respond(outcome, traced.into_ops(), incoming.0)
        });
        match job.await {
            Ok(response) => response,
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("the request failed: {e}")).into_response(),
        }
    }

    fn respond(&self, outcome: bazoola::Result<Reply>, ops: Vec<Op>, incoming: Option<Flash>) -> Response {
        let page = match outcome {
            Ok(Reply::Page(page)) => page,
            Ok(Reply::Redirect { to, flash }) => {
                let location = HeaderValue::from_str(&to).unwrap_or(HeaderValue::from_static("/"));
                return (StatusCode::SEE_OTHER, [(LOCATION, location), (SET_COOKIE, flash.set_cookie())])
                    .into_response();
            }
            Ok(Reply::NotFound(what)) => not_found(what),
            Err(Error::NotFound { table, id }) => not_found(format!("row {id} of '{table}'")),
            Err(e) => Page::new("error.html", "Something went wrong", context! { message => e.to_string() })
                .status(StatusCode::INTERNAL_SERVER_ERROR),
        };
        let shown_flash = page.flash.clone().or(incoming.clone());
        let mut response = match self.render(&page, &ops, shown_flash) {
            Ok(html) => (page.status, Html(html)).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot render {}: {e:#}", page.template))
                .into_response(),
        };
        if incoming.is_some() {
            response.headers_mut().insert(SET_COOKIE, Flash::clear_cookie());
        }
        response
    }

    fn render(&self, page: &Page, ops: &[Op], flash: Option<Flash>) -> Result<String, minijinja::Error> {
        let total_examined: u64 = ops.iter().filter_map(|op| op.examined).sum();
        let total_micros: u64 = ops.iter().map(|op| op.micros).sum();
        let ctx = context! {
            title => &page.title,
            flash,
            ops,
            total_examined,
            total_micros,
            ..page.ctx.clone()
        };
        self.templates.get_template(page.template)?.render(ctx)
    }
}

fn not_found(what: String) -> Page {
    Page::new("not_found.html", "Not found", context! { what }).status(StatusCode::NOT_FOUND)
}

/// The stylesheet, served with the pages.
pub async fn style() -> Response {
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
        (CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
    ];
    (headers, view::STYLE).into_response()
}
