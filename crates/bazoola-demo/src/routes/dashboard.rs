//! `/`: counts, the projects with their owners, and the five newest tasks.

use axum::extract::State;
use axum::response::Response;
use bazoola::Join;
use minijinja::context;

use crate::app::App;
use crate::flash::Incoming;
use crate::view::{self, Page};

pub async fn show(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| {
        let projects = db.find_all("projects", &[Join::forward("owner_id", "owner", "users")])?;
        let mut tasks = db.find_all(
            "tasks",
            &[
                Join::forward("project_id", "project", "projects"),
                Join::forward("assignee_id", "assignee", "users"),
            ],
        )?;
        let users = db.count("users", None)?;
        let comments = db.count("comments", None)?;
        let task_count = tasks.len();
        tasks.sort_by_key(|task| std::cmp::Reverse(task.id()));
        tasks.truncate(5);
        let ctx = context! {
            counts => context! { users, projects => projects.len(), tasks => task_count, comments },
            projects => view::rows(&projects),
            recent_tasks => view::rows(&tasks),
        };
        Ok(Page::new("index.html", "Dashboard", ctx).into())
    })
    .await
}
