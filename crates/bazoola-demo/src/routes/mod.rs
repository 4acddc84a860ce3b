//! The routes, one module per part of the site.
//!
//! Ids in paths are parsed by hand so that `/projects/abc` is the same 404 page as
//! `/projects/999`. Deleting takes two steps without JavaScript: `GET …/delete` shows
//! what the delete will do, and its button posts to the same address.

mod dashboard;
mod projects;
mod search;
mod tasks;
mod users;

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bazoola::Result;

use crate::app::{style, App};
use crate::flash::Incoming;
use crate::forms::FormErrors;
use crate::view::Reply;

pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/users", get(users::list))
        .route("/users/new", get(users::new_form).post(users::create))
        .route("/users/{id}/edit", get(users::edit_form).post(users::update))
        .route("/users/{id}/delete", get(users::confirm_delete).post(users::delete))
        .route("/projects", get(projects::list))
        .route("/projects/new", get(projects::new_form).post(projects::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/edit", get(projects::edit_form).post(projects::update))
        .route("/projects/{id}/delete", get(projects::confirm_delete).post(projects::delete))
        .route("/tasks", get(tasks::list))
        .route("/tasks/new", get(tasks::new_form).post(tasks::create))
        .route("/tasks/{id}", get(tasks::show))
        .route("/tasks/{id}/edit", get(tasks::edit_form).post(tasks::update))
        .route("/tasks/{id}/delete", get(tasks::confirm_delete).post(tasks::delete))
        .route("/tasks/{id}/comment", post(tasks::comment))
        .route("/search", get(search::show))
        .route("/static/style.css", get(style))
        .fallback(not_found)
        .with_state(app)
}

async fn not_found(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |_| Ok(Reply::not_found("page"))).await
}

/// A positive id from a path segment.
fn parse_id(raw: &str) -> Option<i64> {
    raw.parse().ok().filter(|id| *id > 0)
}

/// The reply to a write made from a form: `done` on success; the form again, via
/// `again`, when the database refused the input; the error otherwise.
fn after_write<T>(
    outcome: Result<T>,
    done: impl FnOnce(T) -> Result<Reply>,
    again: impl FnOnce(FormErrors) -> Result<Reply>,
) -> Result<Reply> {
    match outcome {
        Ok(value) => done(value),
        Err(e) => match FormErrors::from_db(&e) {
            Some(errors) => again(errors),
            None => Err(e),
        },
    }
}

/// `n thing` or `n things`.
fn plural(n: u64, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
