//! Creating and editing through the forms: a good submission writes and redirects;
//! a bad one shows the form again with the problem next to the field and the user's
//! input kept, and writes nothing.

mod common;

use bazoola::Value;
use common::TestApp;
use rstest::{fixture, rstest};

#[fixture]
fn app() -> TestApp {
    TestApp::start()
}

const USER: &[(&str, &str)] = &[("username", "dora"), ("email", "dora@example.com"), ("role", "manager")];
const PROJECT: &[(&str, &str)] = &[
    ("name", "Garden"),
    ("description", "Grow tomatoes."),
    ("owner_id", "3"),
    ("status", "active"),
    ("due_date", ""),
];
const TASK: &[(&str, &str)] = &[
    ("title", "Water the plants"),
    ("description", "Every evening."),
    ("project_id", "2"),
    ("assignee_id", ""),
    ("status", "todo"),
    ("priority", "low"),
    ("due_date", "2027-06-01"),
    ("estimated_hours", "3"),
];
const COMMENT: &[(&str, &str)] = &[("user_id", "4"), ("content", "On it.")];

/// `base` with some fields replaced.
fn with(
    base: &[(&'static str, &'static str)],
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    base.iter()
        .map(|(k, v)| (*k, changes.iter().find(|(c, _)| c == k).map_or(*v, |(_, c)| *c).to_string()))
        .collect()
}

fn post(app: &TestApp, path: &str, form: &[(&'static str, String)]) -> common::Resp {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &pairs)
}

#[rstest]
fn a_new_user_is_written_and_the_browser_redirected(app: TestApp) {
    let reply = app.post("/users/new", USER);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/users")));
    let user = &app.db.find_all("users", &[]).unwrap()[4];
    assert_eq!(
        (user["username"].as_str(), user["email"].as_str(), user["role"].as_str()),
        (Some("dora"), Some("dora@example.com"), Some("manager"))
    );
    // The message travels in a cookie, is shown once on the next page, then cleared.
    let cookie = reply.flash_cookie().expect("a flash cookie");
    let next = app.get_with_cookie("/users", Some(&cookie));
    next.assert_contains("User 'dora' created.");
    assert!(next.set_cookie.iter().any(|c| c.starts_with("bazoola_flash=;") && c.contains("Max-Age=0")));
    assert!(!app.get("/users").text.contains("User 'dora' created."));
}

#[rstest]
fn a_new_project_is_written_with_todays_date_and_shown(app: TestApp) {
    let reply = app.post("/projects/new", PROJECT);
    assert_eq!(reply.status, 303);
    let id = reply.redirect_id();
    assert_eq!(reply.location, Some(format!("/projects/{id}")));
    let project = app.db.find_by_id("projects", id, &[]).unwrap().unwrap();
    assert_eq!(project["owner_id"], Value::Int(3));
    assert_eq!(project["due_date"], Value::Null);
    assert_eq!(project["created_date"].as_str().map(str::len), Some(10));
    let page = app.get(&format!("/projects/{id}"));
    page.assert_contains("Grow tomatoes.");
    page.assert_contains("owner <strong>bob</strong>");
}

#[rstest]
fn a_new_task_is_written_and_its_page_shown(app: TestApp) {
    let reply = app.post("/tasks/new", TASK);
    assert_eq!(reply.status, 303);
    let id = reply.redirect_id();
    let task = app.db.find_by_id("tasks", id, &[]).unwrap().unwrap();
    assert_eq!(task["assignee_id"], Value::Null);
    assert_eq!(task["estimated_hours"], Value::Int(3));
    assert_eq!(task["due_date"].as_str(), Some("2027-06-01"));
    let page = app.get(&format!("/tasks/{id}"));
    page.assert_contains("Water the plants");
    page.assert_contains("Mobile App");
    page.assert_contains("unassigned");
}

#[rstest]
fn a_comment_is_added_to_its_task(app: TestApp) {
    let reply = app.post("/tasks/3/comment", COMMENT);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/tasks/3")));
    let page = app.get("/tasks/3");
    page.assert_contains("Comments (1)");
    page.assert_contains("On it.");
}

#[rstest]
#[case::user("/users/3/edit", USER, "/users", ("users", 3), "username", "dora")]
#[case::project("/projects/2/edit", PROJECT, "/projects/2", ("projects", 2), "name", "Garden")]
#[case::task("/tasks/5/edit", TASK, "/tasks/5", ("tasks", 5), "title", "Water the plants")]
fn an_edit_is_written_and_redirects(
    app: TestApp,
    #[case] path: &str,
    #[case] form: &[(&str, &str)],
    #[case] to: &str,
    #[case] (table, id): (&str, i64),
    #[case] field: &str,
    #[case] value: &str,
) {
    let reply = app.post(path, form);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some(to)), "{}", reply.text);
    let row = app.db.find_by_id(table, id, &[]).unwrap().unwrap();
    assert_eq!(row[field].as_str(), Some(value));
}

#[rstest]
fn editing_a_task_can_clear_its_assignee_and_hours(app: TestApp) {
    let form = with(TASK, &[("project_id", "1"), ("assignee_id", ""), ("estimated_hours", "")]);
    assert_eq!(post(&app, "/tasks/1/edit", &form).status, 303);
    let task = app.db.find_by_id("tasks", 1, &[]).unwrap().unwrap();
    assert_eq!((task["assignee_id"].clone(), task["estimated_hours"].clone()), (Value::Null, Value::Null));
    assert_eq!(task["created_date"].as_str().map(str::len), Some(10), "created_date is kept");
}

const LONG_21: &str = "abcdefghijklmnopqrstu";
const LONG_31: &str = "abcdefghijklmnopqrstuvwxyz01234";
const LONG_51: &str = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxy";
const EMAIL_51: &str = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnop@mail.com";

#[rstest]
#[case::username_too_long("/users/new", USER, &[("username", LONG_21)], "username: the value is too long", LONG_21)]
#[case::username_missing("/users/new", USER, &[("username", "  ")], "username: this field is required", "dora@example.com")]
#[case::username_starting_with_nul("/users/new", USER, &[("username", "\0abc")], "username: the value cannot start with a NUL character", "dora@example.com")]
#[case::email_taken("/users/new", USER, &[("email", "alice@example.com")], "email: alice@example.com is already taken", "value=\"dora\"")]
#[case::edit_email_taken("/users/3/edit", USER, &[("email", "alice@example.com")], "email: alice@example.com is already taken", "value=\"dora\"")]
#[case::email_too_long("/users/new", USER, &[("email", EMAIL_51)], "email: the value is too long", EMAIL_51)]
#[case::email_not_an_address("/users/new", USER, &[("email", "dora")], "email: must be an email address", "value=\"dora\"")]
#[case::role_unknown("/users/new", USER, &[("role", "boss")], "role: must be one of admin, manager, user", "dora@example.com")]
#[case::edit_username_too_long("/users/2/edit", USER, &[("username", LONG_21)], "username: the value is too long", LONG_21)]
#[case::project_name_too_long("/projects/new", PROJECT, &[("name", LONG_31)], "name: the value is too long", LONG_31)]
#[case::project_owner_missing("/projects/new", PROJECT, &[("owner_id", "999")], "owner_id: there is no row with id 999 in 'users'", "Grow tomatoes.")]
#[case::project_owner_not_chosen("/projects/new", PROJECT, &[("owner_id", "")], "owner_id: this field is required", "value=\"Garden\"")]
#[case::project_due_date("/projects/new", PROJECT, &[("due_date", "31/12/2027")], "due_date: must be a date written YYYY-MM-DD", "31/12/2027")]
#[case::project_status("/projects/new", PROJECT, &[("status", "dreaming")], "status: must be one of active, paused, completed", "value=\"Garden\"")]
#[case::edit_project_owner("/projects/1/edit", PROJECT, &[("owner_id", "999")], "owner_id: there is no row with id 999 in 'users'", "value=\"Garden\"")]
#[case::task_title_too_long("/tasks/new", TASK, &[("title", LONG_51)], "title: the value is too long", LONG_51)]
#[case::task_project_missing("/tasks/new", TASK, &[("project_id", "999")], "project_id: there is no row with id 999 in 'projects'", "Every evening.")]
#[case::task_assignee_missing("/tasks/new", TASK, &[("assignee_id", "999")], "assignee_id: there is no row with id 999 in 'users'", "value=\"Water the plants\"")]
#[case::task_hours_too_big("/tasks/new", TASK, &[("estimated_hours", "1234567890")], "estimated_hours: the value is too big", "value=\"1234567890\"")]
#[case::task_hours_not_a_number("/tasks/new", TASK, &[("estimated_hours", "three")], "estimated_hours: must be a whole number", "value=\"three\"")]
#[case::task_priority("/tasks/new", TASK, &[("priority", "urgent")], "priority: must be one of low, medium, high", "value=\"Water the plants\"")]
#[case::edit_task_title_too_long("/tasks/1/edit", TASK, &[("title", LONG_51)], "title: the value is too long", LONG_51)]
#[case::comment_empty("/tasks/1/comment", COMMENT, &[("content", "")], "content: this field is required", "<option value=\"4\" selected>charlie</option>")]
#[case::comment_author_missing("/tasks/1/comment", COMMENT, &[("user_id", "999")], "user_id: there is no row with id 999 in 'users'", "On it.")]
fn bad_input_is_shown_on_the_form_and_nothing_is_written(
    app: TestApp,
    #[case] path: &str,
    #[case] base: &[(&'static str, &'static str)],
    #[case] changes: &[(&'static str, &'static str)],
    #[case] message: &str,
    #[case] kept: &str,
) {
    let before = app.snapshot();
    let page = post(&app, path, &with(base, changes));
    assert_eq!(page.status, 422, "{path}: {}", page.text);
    page.assert_contains("Nothing was saved.");
    page.assert_contains(message);
    page.assert_contains(kept);
    page.assert_contains("How this page was built");
    assert_eq!(app.snapshot(), before, "a refused form wrote something");
    assert_eq!(app.get("/users").status, 200, "the users page still renders");
}

#[rstest]
fn a_refusal_by_the_database_is_in_the_panel(app: TestApp) {
    let page = post(&app, "/users/new", &with(USER, &[("username", LONG_21)]));
    page.assert_contains("refused: 'username': The value is too long");
}
