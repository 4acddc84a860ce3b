//! `/users`: the list (by username), the create and edit forms, and deleting — which
//! the database refuses while the user owns a project or wrote a comment (both
//! RESTRICT), and which leaves the user's assigned tasks unassigned (SET NULL).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use bazoola::{Cond, Error, IntegrityError, Result, Row};
use minijinja::context;

use super::{after_write, parse_id, plural};
use crate::app::App;
use crate::flash::{Flash, Incoming};
use crate::forms::{FormErrors, UserForm};
use crate::schema::ROLES;
use crate::trace::Traced;
use crate::view::{self, Page, Reply};

pub async fn list(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |db| Ok(list_page(db)?.into())).await
}

/// The users, by username.
fn list_page(db: &Traced) -> Result<Page> {
    let users = db.query("users").order_by("username").rows()?;
    Ok(Page::new("users.html", "Users", context! { users => view::rows(&users) }))
}

fn form_page(id: Option<i64>, form: &UserForm, errors: FormErrors) -> Reply {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let title = if id.is_some() { "Edit user" } else { "New user" };
    let ctx = context! { user_id => id, form, error_lines => errors.lines(), errors, roles => ROLES };
    Page::new("user_form.html", title, ctx).status(status).into()
}

pub async fn new_form(State(app): State<App>, incoming: Incoming) -> Response {
    app.run(incoming, |_| Ok(form_page(None, &UserForm::blank(), FormErrors::default()))).await
}

pub async fn create(State(app): State<App>, incoming: Incoming, Form(form): Form<UserForm>) -> Response {
    app.run(incoming, move |db| {
        let values = match form.values() {
            Ok(values) => values,
            Err(errors) => return Ok(form_page(None, &form, errors)),
        };
        after_write(
            db.insert("users", values),
            |user| {
                Ok(Reply::redirect("/users", Flash::success(format!("User '{}' created.", user["username"]))))
            },
            |errors| Ok(form_page(None, &form, errors)),
        )
    })
    .await
}

pub async fn edit_form(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(user) = find(db, &id)? else { return Ok(Reply::not_found(format!("user {id}"))) };
        Ok(form_page(Some(user.id()), &UserForm::from_row(&user), FormErrors::default()))
    })
    .await
}

pub async fn update(
    State(app): State<App>,
    incoming: Incoming,
    Path(id): Path<String>,
    Form(form): Form<UserForm>,
) -> Response {
    app.run(incoming, move |db| {
        let Some(user) = find(db, &id)? else { return Ok(Reply::not_found(format!("user {id}"))) };
        let values = match form.values() {
            Ok(values) => values,
            Err(errors) => return Ok(form_page(Some(user.id()), &form, errors)),
        };
        after_write(
            db.update_by_id("users", user.id(), values),
            |user| {
                Ok(Reply::redirect("/users", Flash::success(format!("User '{}' saved.", user["username"]))))
            },
            |errors| Ok(form_page(Some(user.id()), &form, errors)),
        )
    })
    .await
}

fn find(db: &Traced, raw_id: &str) -> Result<Option<Row>> {
    match parse_id(raw_id) {
        Some(id) => db.find_by_id("users", id, &[]),
        None => Ok(None),
    }
}

pub async fn confirm_delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(user) = find(db, &id)? else { return Ok(Reply::not_found(format!("user {id}"))) };
        let owned = db.count("projects", Some(&Cond::eq("owner_id", user.id())))?;
        let written = db.count("comments", Some(&Cond::eq("user_id", user.id())))?;
        let assigned = db.count("tasks", Some(&Cond::eq("assignee_id", user.id())))?;
        let mut effects = Vec::new();
        if owned > 0 {
            effects.push(format!(
                "They own {}: projects.owner_id is ON DELETE RESTRICT, so the delete will be refused.",
                plural(owned, "project")
            ));
        }
        if written > 0 {
            effects.push(format!(
                "They wrote {}: comments.user_id is ON DELETE RESTRICT, so the delete will be refused.",
                plural(written, "comment")
            ));
        }
        if assigned > 0 {
            effects.push(format!(
                "{} assigned to them will become unassigned (tasks.assignee_id is ON DELETE SET NULL).",
                plural(assigned, "task")
            ));
        }
        let ctx = context! {
            what => format!("user '{}'", user["username"]),
            action => format!("/users/{}/delete", user.id()),
            back => "/users",
            effects,
        };
        Ok(Page::new("confirm_delete.html", "Delete user", ctx).into())
    })
    .await
}

pub async fn delete(State(app): State<App>, incoming: Incoming, Path(id): Path<String>) -> Response {
    app.run(incoming, move |db| {
        let Some(user) = find(db, &id)? else { return Ok(Reply::not_found(format!("user {id}"))) };
        let name = user["username"].to_string();
        match db.delete_by_id("users", user.id()) {
            Ok(()) => Ok(Reply::redirect(
                "/users",
                Flash::success(format!(
                    "User '{name}' deleted. Tasks assigned to them are now unassigned (ON DELETE SET NULL)."
                )),
            )),
            Err(Error::Integrity(IntegrityError::DeleteRestricted { referrer, field, .. })) => {
                let why = format!(
                    "Cannot delete user '{name}': {referrer}.{field} refers to this user and is ON DELETE RESTRICT, \
                     so the database refused. Delete or reassign those {referrer} first."
                );
                let page = list_page(db)?.status(StatusCode::CONFLICT).flash(Flash::error(why));
                Ok(page.into())
            }
            Err(e) => Err(e),
        }
    })
    .await
}
