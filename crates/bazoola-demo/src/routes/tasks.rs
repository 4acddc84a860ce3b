//! `/tasks`: the list (optionally by status, sorted by due date, 20 a page), a task's page with its comments and the
//! comment form, the create and edit forms, commenting, and deleting — which takes the
//! task's comments with it (CASCADE).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use bazoola::{Cond, Join, Result, Row};
use minijinja::context;
use serde::Deserialize;

use super::{after_write, parse_id, plural};
use crate::app::App;
use crate::date::today;
use crate::flash::{Flash, Incoming};
use crate::forms::{CommentForm, FormErrors, TaskForm};
use crate::schema::{PRIORITIES, TASK_STATUSES};
use crate::trace::Traced;
use crate::view::{self, Page, Reply};

fn project_and_assignee() -> [Join; 2] {
    [Join::forward("project_id", "project", "projects"), Join::forward("assignee_id", "assignee", "users")]
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    /// Kept as text: a page that is not a number is page 1, not a 400.
    page: Option<String>,
}

/// Tasks on a page of the list.
pub const PAGE_SIZE: u64 = 20;

/// The list's address for `status` (if any) and `page` (1 is left out).
fn list_href(status: Option<&str>, page: u64) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(status) = status {
        params.push(("status", status.to_string()));
    }
    if page > 1 {
        params.push(("page", page.to_string()));
    }
    match serde_urlencoded::to_string(&params) {
        Ok(query) if !query.is_empty() => format!("/tasks?{query}"),
        _ => "/tasks".to_string(),
    }
}

/// The page numbers to link to: the first, the last, and two either side of `page`;
/// `None` where two or more numbers are left out (a gap of one shows its number).
fn page_numbers(page: u64, pages: u64) -> Vec<Option<u64>> {
    let near = |n: u64| n == 1 || n == pages || n.abs_diff(page) <= 2;
    let mut out = Vec::new();
    for n in 1..=pages {
        if near(n) || (near(n - 1) && near(n + 1)) {
            out.push(Some(n));
        } else if out.last() != Some(&None) {
            out.push(None);
        }
    }
    out
}

/// The list, sorted by due date — soonest first, tasks without one after those with one
/// (by id) — 20 a page.
///
/// The engine orders nulls first when ascending (as SQLite does), so the order is put
/// together from two queries: the tasks with a due date `ORDER BY due_date, id`, then
/// those without one `ORDER BY id`. A page takes its rows from the first, then the
/// second; counting the tasks with a due date says where the second one starts. A page
/// past the last shows the last page (and one below 1, or not a number, the first).
pub async fn list(State(app): State<App>, incoming: Incoming, Query(query): Query<ListQuery>) -> Response {
    app.run(incoming, move |db| {
        let status = query.status.filter(|s| TASK_STATUSES.contains(&s.as_str()));
        let asked: u64 = query.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1);
        let mut tasks = db.query("tasks");
        if let Some(status) = &status {
            tasks = tasks.filter(Cond::eq("status", status.as_str()));
        }
        let total = tasks.clone().count()?;
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = asked.clamp(1, pages);
        let offset = (page - 1) * PAGE_SIZE;

        let dated = tasks.clone().filter(!Cond::is_null("due_date"));
        let with_due_date = dated.clone().count()?;
        let [project, assignee] = project_and_assignee();
        let mut rows = Vec::new();
        if offset < with_due_date {
            let query = dated.join(project.clone()).join(assignee.clone());
            rows = query.order_by("due_date").order_by("id").limit(PAGE_SIZE).offset(offset).rows()?;
        }
        let shown = offset + rows.len() as u64;
        if rows.len() < PAGE_SIZE as usize && shown < total {
            // The rest of the page: tasks without a due date, from the first not yet shown.
            let query = tasks.filter(Cond::is_null("due_date")).join(project).join(assignee);
            let wanted = PAGE_SIZE - rows.len() as u64;
            rows.extend(
                query.order_by("id").limit(wanted).offset(shown.saturating_sub(with_due_date)).rows()?,
            );
        }

        let href = |n: u64| list_href(status.as_deref(), n);
        let links: Vec<_> = page_numbers(page, pages)
            .into_iter()
            .map(|n| match n {
                Some(n) => context! { number => n, href => href(n), current => n == page },
                None => context! { gap => true },
            })
            .collect();
        let first = if rows.is_empty() { 0 } else { offset + 1 };
        let pager = context! {
            page,
            pages,
            total,
            first,
            last => offset + rows.len() as u64,
            previous => (page > 1).then(|| href(page - 1)),
            next => (page < pages).then(|| href(page + 1)),
            links,
        };
        let ctx = context! { tasks => view::rows(&rows), status, statuses => TASK_STATUSES, pager };
        Ok(Page::new("tasks.html", "Tasks", ctx).into())
    })
    .await
}

fn find(db: &Traced, raw_id: &str, joins: &[Join]) -> Result<Option<Row>> {
    match parse_id(raw_id) {
        Some(id) => db.find_by_id("tasks", id, joins),
        None => Ok(None),
    }
}

/// A task's page; `comment` and `errors` refill the comment form after a refusal.
fn task_page(db: &Traced, task: Row, comment: &CommentForm, errors: FormErrors) -> Result<Reply> {
    let comments = db.find_by_cond(
        "comments",
        &Cond::eq("task_id", task.id()),
        &[Join::forward("user_id", "author", "users")],
    )?;
    let users = db.find_all("users", &[])?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let ctx = context! {
        task => view::row(&task),
        comments => view::rows(&comments),
        users => view::rows(&users),
        comment,
        error_lines => errors.lines(),
        errors,
    };
    Ok(Page::new("task.html", task["title"].to_string(), ctx).status(status).into())
}

pub async fn show(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &project_and_assignee())? else {
            return Ok(Reply::not_found(format!("task {id}")));
        };
        task_page(db, task, &CommentForm::default(), FormErrors::default())
    })
    .await
}

pub async fn comment(
    State(app): State<App>,
    incoming: Incoming,
    Path(id): Path<String>,
    Form(form): Form<CommentForm>,
) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &project_and_assignee())? else {
            return Ok(Reply::not_found(format!("task {id}")));
        };
        let mut values = match form.values() {
            Ok(values) => values,
            Err(errors) => return task_page(db, task, &form, errors),
        };
        values.push(("task_id", task.id().into()));
        values.push(("created_date", today().into()));
        let to = format!("/tasks/{}", task.id());
        after_write(
            db.insert("comments", values),
            |_| Ok(Reply::redirect(to, Flash::success("Comment added."))),
            |errors| task_page(db, task, &form, errors),
        )
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    project_id: Option<String>,
}

fn form_page(db: &Traced, id: Option<i64>, form: &TaskForm, errors: FormErrors) -> Result<Reply> {
    let projects = db.find_all("projects", &[])?;
    let users = db.find_all("users", &[])?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = if id.is_some() { "Edit task" } else { "New task" };
    let ctx = context! {
        task_id => id,
        form,
        error_lines => errors.lines(),
        errors,
        projects => view::rows(&projects),
        users => view::rows(&users),
        statuses => TASK_STATUSES,
        priorities => PRIORITIES,
    };
    Ok(Page::new("task_form.html", title, ctx).status(status).into())
}

pub async fn new_form(State(app): State<App>, incoming: Incoming, Query(query): Query<NewQuery>) -> Response {
    app.run(incoming, move |db| {
        let project = query.project_id.as_deref().and_then(parse_id);
        form_page(db, None, &TaskForm::blank(project), FormErrors::default())
    })
    .await
}

pub async fn create(State(app): State<App>, incoming: Incoming, Form(form): Form<TaskForm>) -> Response {
    app.run(incoming, move |db| {
        let mut values = match form.values() {
            Ok(values) => values,
            Err(errors) => return form_page(db, None, &form, errors),
        };
        values.push(("created_date", today().into()));
        after_write(
            db.insert("tasks", values),
            |t| {
                Ok(Reply::redirect(
                    format!("/tasks/{}", t.id()),
                    Flash::success(format!("Task '{}' created.", t["title"])),
                ))
            },
            |errors| form_page(db, None, &form, errors),
        )
    })
    .await
}

pub async fn edit_form(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("task {id}"))) };
        form_page(db, Some(task.id()), &TaskForm::from_row(&task), FormErrors::default())
    })
    .await
}

pub async fn update(
    State(app): State<App>,
    incoming: Incoming,
    Path(id): Path<String>,
    Form(form): Form<TaskForm>,
) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("task {id}"))) };
        let id = task.id();
        let values = match form.values() {
            Ok(values) => values,
            Err(errors) => return form_page(db, Some(id), &form, errors),
        };
        after_write(
            db.update_by_id("tasks", id, values),
            |t| {
                Ok(Reply::redirect(
                    format!("/tasks/{id}"),
                    Flash::success(format!("Task '{}' saved.", t["title"])),
                ))
            },
            |errors| form_page(db, Some(id), &form, errors),
        )
    })
    .await
}

pub async fn confirm_delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("task {id}"))) };
        let comments = db.count("comments", Some(&Cond::eq("task_id", task.id())))?;
        let effects = vec![format!(
            "{} on it will be deleted with it (comments.task_id is ON DELETE CASCADE).",
            plural(comments, "comment")
        )];
        let ctx = context! {
            what => format!("task '{}'", task["title"]),
            action => format!("/tasks/{}/delete", task.id()),
            back => format!("/tasks/{}", task.id()),
            effects,
        };
        Ok(Page::new("confirm_delete.html", "Delete task", ctx).into())
    })
    .await
}

pub async fn delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(task) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("task {id}"))) };
        let comments = db.transaction(|db| {
            let comments = db.count("comments", Some(&Cond::eq("task_id", task.id())))?;
            db.delete_by_id("tasks", task.id())?;
            Ok(comments)
        })?;
        let flash = Flash::success(format!(
            "Task '{}' deleted, and with it {} (ON DELETE CASCADE).",
            task["title"],
            plural(comments, "comment")
        ));
        let project = task["project_id"].as_int().unwrap_or_default();
        Ok(Reply::redirect(format!("/projects/{project}"), flash))
    })
    .await
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(1, 1, &[Some(1)])]
    #[case(1, 3, &[Some(1), Some(2), Some(3)])]
    #[case(1, 9, &[Some(1), Some(2), Some(3), None, Some(9)])]
    #[case(5, 9, &[Some(1), Some(2), Some(3), Some(4), Some(5), Some(6), Some(7), Some(8), Some(9)])]
    #[case(6, 12, &[Some(1), None, Some(4), Some(5), Some(6), Some(7), Some(8), None, Some(12)])]
    fn page_links_keep_the_ends_and_the_neighbours(
        #[case] page: u64,
        #[case] pages: u64,
        #[case] expected: &[Option<u64>],
    ) {
        assert_eq!(page_numbers(page, pages), expected);
    }

    #[rstest]
    #[case(None, 1, "/tasks")]
    #[case(None, 2, "/tasks?page=2")]
    #[case(Some("todo"), 1, "/tasks?status=todo")]
    #[case(Some("in_progress"), 3, "/tasks?status=in_progress&page=3")]
    fn list_links_keep_the_status(#[case] status: Option<&str>, #[case] page: u64, #[case] expected: &str) {
        assert_eq!(list_href(status, page), expected);
    }
}
