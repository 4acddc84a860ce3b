//! `/projects`: the list with task and comment counts, a project's page with its tasks,
//! the forms, and deleting — which takes the project's tasks and their comments with it
//! (both CASCADE).
//!
//! The counts are relation counts on the projects query (`InverseCount`): each
//! project's tasks are counted through the index on `tasks.project_id`, and its comments
//! across two hops — the comments of each of its tasks, through the index on
//! `comments.task_id`, summed over those tasks. Each count is one number per project,
//! so the two cannot multiply each other, as counting the rows of a join of projects to
//! tasks and to comments would (a project with 3 tasks and 4 comments would count 12 of
//! each) — the classic cartesian trap.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use bazoola::{Cond, Join, Result, Row};
use minijinja::context;

use super::{after_write, parse_id, plural};
use crate::app::App;
use crate::date::today;
use crate::flash::{Flash, Incoming};
use crate::forms::{FormErrors, ProjectForm};
use crate::schema::PROJECT_STATUSES;
use crate::trace::Traced;
use crate::view::{self, Page, Reply};

fn owner() -> Join {
    Join::forward("owner_id", "owner", "users")
}

/// A project's task count under `tasks` and the count of the comments on its tasks
/// under `comments`, both through FK indexes without reading a task or a comment.
fn counts() -> [Join; 2] {
    [
        Join::count("project_id", "tasks", "tasks"),
        Join::count("project_id", "comments", "tasks").through(Join::count("task_id", "n", "comments")),
    ]
}

/// A count a relation count put under `key`.
fn count_of(row: &Row, key: &str) -> u64 {
    row[key].as_int().map_or(0, |n| n.max(0) as u64)
}

pub async fn list(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| {
        let [tasks, comments] = counts();
        let projects = db.query("projects").join(owner()).join(tasks).join(comments).rows()?;
        Ok(Page::new("projects.html", "Projects", context! { projects => view::rows(&projects) }).into())
    })
    .await
}

fn find(db: &Traced, raw_id: &str, joins: &[Join]) -> Result<Option<Row>> {
    match parse_id(raw_id) {
        Some(id) => db.find_by_id("projects", id, joins),
        None => Ok(None),
    }
}

pub async fn show(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(project) = find(db, &id, &[owner()])? else {
            return Ok(Reply::not_found(format!("project {id}")));
        };
        let tasks = db.find_by_cond(
            "tasks",
            &Cond::eq("project_id", project.id()),
            &[Join::forward("assignee_id", "assignee", "users")],
        )?;
        let title = project["name"].to_string();
        let ctx = context! { project => view::row(&project), tasks => view::rows(&tasks) };
        Ok(Page::new("project.html", title, ctx).into())
    })
    .await
}

fn form_page(db: &Traced, id: Option<i64>, form: &ProjectForm, errors: FormErrors) -> Result<Reply> {
    let users = db.find_all("users", &[])?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = if id.is_some() { "Edit project" } else { "New project" };
    let ctx = context! {
        project_id => id,
        form,
        error_lines => errors.lines(),
        errors,
        users => view::rows(&users),
        statuses => PROJECT_STATUSES,
    };
    Ok(Page::new("project_form.html", title, ctx).status(status).into())
}

pub async fn new_form(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| form_page(db, None, &ProjectForm::blank(), FormErrors::default())).await
}

pub async fn create(State(app): State<App>, incoming: Incoming, Form(form): Form<ProjectForm>) -> Response {
    app.run(incoming, move |db| {
        let mut values = match form.values() {
            Ok(values) => values,
            Err(errors) => return form_page(db, None, &form, errors),
        };
        values.push(("created_date", today().into()));
        after_write(
            db.insert("projects", values),
            |p| {
                let flash = Flash::success(format!("Project '{}' created.", p["name"]));
                Ok(Reply::redirect(format!("/projects/{}", p.id()), flash))
            },
            |errors| form_page(db, None, &form, errors),
        )
    })
    .await
}

pub async fn edit_form(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(project) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("project {id}"))) };
        form_page(db, Some(project.id()), &ProjectForm::from_row(&project), FormErrors::default())
    })
    .await
}

pub async fn update(
    State(app): State<App>,
    incoming: Incoming,
    Path(id): Path<String>,
    Form(form): Form<ProjectForm>,
) -> Response {
    app.run(incoming, move |db| {
        let Some(project) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("project {id}"))) };
        let id = project.id();
        let values = match form.values() {
            Ok(values) => values,
            Err(errors) => return form_page(db, Some(id), &form, errors),
        };
        after_write(
            db.update_by_id("projects", id, values),
            |p| {
                Ok(Reply::redirect(
                    format!("/projects/{id}"),
                    Flash::success(format!("Project '{}' saved.", p["name"])),
                ))
            },
            |errors| form_page(db, Some(id), &form, errors),
        )
    })
    .await
}

pub async fn confirm_delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(project) = find(db, &id, &counts())? else {
            return Ok(Reply::not_found(format!("project {id}")));
        };
        let (tasks, comments) = (count_of(&project, "tasks"), count_of(&project, "comments"));
        let effects = vec![format!(
            "{} and {} on them will be deleted with it (tasks.project_id and comments.task_id are ON DELETE CASCADE).",
            plural(tasks, "task"),
            plural(comments, "comment")
        )];
        let ctx = context! {
            what => format!("project '{}'", project["name"]),
            action => format!("/projects/{}/delete", project.id()),
            back => format!("/projects/{}", project.id()),
            effects,
        };
        Ok(Page::new("confirm_delete.html", "Delete project", ctx).into())
    })
    .await
}

pub async fn delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        // Counted in the transaction that deletes, so the message says what went.
        let deleted = db.transaction(|db| {
            let Some(project) = find(db, &id, &counts())? else { return Ok(None) };
            db.delete_by_id("projects", project.id())?;
            Ok(Some(project))
        })?;
        let Some(project) = deleted else { return Ok(Reply::not_found(format!("project {id}"))) };
        let (tasks, comments) = (count_of(&project, "tasks"), count_of(&project, "comments"));
        let flash = Flash::success(format!(
            "Project '{}' deleted, and with it {} and {} (ON DELETE CASCADE).",
            project["name"],
            plural(tasks, "task"),
            plural(comments, "comment")
        ));
        Ok(Reply::redirect("/projects", flash))
    })
    .await
}
