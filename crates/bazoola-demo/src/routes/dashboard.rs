//! `/`: counts, tasks per status, the projects with their owners, and the five newest
//! tasks.
//!
//! Every number is a count or an aggregate, not rows loaded and measured: the tasks per
//! status are one `COUNT()` grouped by `status` — an indexed field, so the engine counts
//! the runs of equal keys in its index without reading a task — and the newest tasks are
//! `ORDER BY id DESC LIMIT 5`.

use axum::extract::State;
use axum::response::Response;
use bazoola::{Agg, Join};
use minijinja::context;

use crate::app::App;
use crate::flash::Incoming;
use crate::schema::TASK_STATUSES;
use crate::view::{self, Page};

pub async fn show(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| {
        let projects = db.find_all("projects", &[Join::forward("owner_id", "owner", "users")])?;
        let groups = db.query("tasks").group_by(&["status"]).aggregates(&[("n", Agg::Count)]).aggregate()?;
        let recent = db
            .query("tasks")
            .join(Join::forward("project_id", "project", "projects"))
            .join(Join::forward("assignee_id", "assignee", "users"))
            .order_by_desc("id")
            .limit(5)
            .rows()?;
        let users = db.count("users", None)?;
        let comments = db.count("comments", None)?;
        // Every status the form offers, in its order, then any other found in the table.
        let mut by_status: Vec<(String, u64)> = TASK_STATUSES.iter().map(|s| (s.to_string(), 0)).collect();
        let mut tasks = 0;
        for group in &groups {
            let status = group["status"].as_str().unwrap_or_default().to_string();
            let n = group["n"].as_int().map_or(0, |n| n.max(0) as u64);
            tasks += n;
            match by_status.iter_mut().find(|(s, _)| *s == status) {
                Some(entry) => entry.1 = n,
                None => by_status.push((status, n)),
            }
        }
        let by_status: Vec<_> = by_status.into_iter().map(|(status, n)| context! { status, n }).collect();
        let ctx = context! {
            counts => context! { users, projects => projects.len(), tasks, comments },
            by_status,
            projects => view::rows(&projects),
            recent_tasks => view::rows(&recent),
        };
        Ok(Page::new("index.html", "Dashboard", ctx).into())
    })
    .await
}
