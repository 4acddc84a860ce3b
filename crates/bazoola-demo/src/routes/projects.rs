//! `/projects`: the list with task and comment counts, a project's page with its tasks,
//! the forms, and deleting — which takes the project's tasks and their comments with it
//! (both CASCADE).
//!
//! The counts are computed one relation at a time: one pass over the tasks gives each
//! project's task count and which project each task belongs to, one pass over the
//! comments adds each comment to its task's project. Joining projects to tasks and to
//! comments at once and counting the combined rows would multiply the two (a project
//! with 3 tasks and 4 comments would count 12 of each) — the classic cartesian trap.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use bazoola::{Cond, Join, Result, Row, Value};
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

pub async fn list(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| {
        let projects = db.find_all("projects", &[owner()])?;
        let mut tasks_of: HashMap<i64, u64> = HashMap::new();
        let mut project_of_task: HashMap<i64, i64> = HashMap::new();
        db.for_each("tasks", |task| {
            if let Some(project) = task["project_id"].as_int() {
                *tasks_of.entry(project).or_default() += 1;
                project_of_task.insert(task.id(), project);
            }
        })?;
        let mut comments_of: HashMap<i64, u64> = HashMap::new();
        db.for_each("comments", |comment| {
            let task = comment["task_id"].as_int().unwrap_or_default();
            if let Some(project) = project_of_task.get(&task) {
                *comments_of.entry(*project).or_default() += 1;
            }
        })?;
        let rows: Vec<_> = projects
            .iter()
            .map(|p| {
                let counts = context! {
                    tasks => tasks_of.get(&p.id()).copied().unwrap_or(0),
                    comments => comments_of.get(&p.id()).copied().unwrap_or(0),
                };
                context! { counts, ..view::row(p) }
            })
            .collect();
        Ok(Page::new("projects.html", "Projects", context! { projects => rows }).into())
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

/// How many tasks, and comments on them, deleting `project` takes with it.
fn cascade_counts(db: &Traced, project: i64) -> Result<(u64, u64)> {
    let tasks = db.find_by_cond("tasks", &Cond::eq("project_id", project), &[])?;
    if tasks.is_empty() {
        return Ok((0, 0));
    }
    let ids: Vec<Value> = tasks.iter().map(|t| Value::Int(t.id())).collect();
    let comments = db.count("comments", Some(&Cond::In("task_id".into(), ids)))?;
    Ok((tasks.len() as u64, comments))
}

pub async fn confirm_delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(project) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("project {id}"))) };
        let (tasks, comments) = cascade_counts(db, project.id())?;
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
        let Some(project) = find(db, &id, &[])? else { return Ok(Reply::not_found(format!("project {id}"))) };
        let (tasks, comments) = db.transaction(|db| {
            let counts = cascade_counts(db, project.id())?;
            db.delete_by_id("projects", project.id())?;
            Ok(counts)
        })?;
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
