//! `/tasks`: the list (optionally by status), a task's page with its comments and the
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
}

pub async fn list(State(app): State<App>, incoming: Incoming, Query(query): Query<ListQuery>) -> Response {
    app.run(incoming, move |db| {
        let status = query.status.filter(|s| TASK_STATUSES.contains(&s.as_str()));
        let tasks = match &status {
            Some(status) => {
                db.find_by_cond("tasks", &Cond::eq("status", status.as_str()), &project_and_assignee())?
            }
            None => db.find_all("tasks", &project_and_assignee())?,
        };
        let ctx = context! { tasks => view::rows(&tasks), status, statuses => TASK_STATUSES };
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
