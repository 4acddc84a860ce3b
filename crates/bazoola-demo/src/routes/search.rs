//! `/search?q=`: one case-insensitive substring, looked for in project names and
//! descriptions, task titles and descriptions, comments, and user names and emails —
//! one `find_by_cond` per table, `ISUBSTR` under `OR` where a table has two fields.

use axum::extract::{Query, State};
use axum::response::Response;
use bazoola::{Cond, Join};
use minijinja::context;
use serde::Deserialize;

use crate::app::App;
use crate::flash::Incoming;
use crate::view::{self, Page};

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

fn either(field_a: &str, field_b: &str, needle: &str) -> Cond {
    Cond::Or(vec![Cond::isubstr(field_a, needle), Cond::isubstr(field_b, needle)])
}

pub async fn show(State(app): State<App>, incoming: Incoming, Query(query): Query<SearchQuery>) -> Response {
    app.run(incoming, move |db| {
        let q = query.q.trim().to_string();
        if q.is_empty() {
            return Ok(Page::new("search.html", "Search", context! { query => q }).into());
        }
        let projects = db.find_by_cond(
            "projects",
            &either("name", "description", &q),
            &[Join::forward("owner_id", "owner", "users")],
        )?;
        let tasks = db.find_by_cond(
            "tasks",
            &either("title", "description", &q),
            &[
                Join::forward("project_id", "project", "projects"),
                Join::forward("assignee_id", "assignee", "users"),
            ],
        )?;
        let comments = db.find_by_cond(
            "comments",
            &Cond::isubstr("content", q.as_str()),
            &[Join::forward("task_id", "task", "tasks"), Join::forward("user_id", "author", "users")],
        )?;
        let users = db.find_by_cond("users", &either("username", "email", &q), &[])?;
        let found = projects.len() + tasks.len() + comments.len() + users.len();
        let ctx = context! {
            query => q,
            found,
            projects => view::rows(&projects),
            tasks => view::rows(&tasks),
            comments => view::rows(&comments),
            users => view::rows(&users),
        };
        Ok(Page::new("search.html", "Search", ctx).into())
    })
    .await
}
