//! Deleting, and the foreign keys' delete rules as the site shows them: owners and
//! comment authors are RESTRICT (refused, with the reason), a project takes its tasks
//! and their comments (CASCADE), a deleted assignee leaves tasks unassigned (SET NULL).

mod common;

use bazoola::{Cond, Value};
use common::TestApp;
use rstest::{fixture, rstest};

#[fixture]
fn app() -> TestApp {
    TestApp::start()
}

#[rstest]
#[case::owns_projects(2, "alice", "projects.owner_id")]
#[case::owns_a_project(1, "admin", "projects.owner_id")]
#[case::wrote_comments(4, "charlie", "comments.user_id")]
fn deleting_a_user_who_is_referred_to_is_refused_with_the_reason(
    app: TestApp,
    #[case] id: i64,
    #[case] name: &str,
    #[case] referrer: &str,
) {
    let before = app.snapshot();
    let page = app.post(&format!("/users/{id}/delete"), &[]);
    assert_eq!(page.status, 409);
    page.assert_contains(&format!(
        "Cannot delete user '{name}': {referrer} refers to this user and is ON DELETE RESTRICT"
    ));
    page.assert_contains("refused: Cannot delete row");
    assert_eq!(app.snapshot(), before, "a refused delete wrote something");
}

#[rstest]
fn the_delete_page_warns_before_a_refusal(app: TestApp) {
    let page = app.get("/users/2/delete");
    page.assert_contains("They own 2 projects: projects.owner_id is ON DELETE RESTRICT");
    page.assert_contains("They wrote 2 comments: comments.user_id is ON DELETE RESTRICT");
}

#[rstest]
fn deleting_an_assignee_leaves_their_tasks_unassigned(app: TestApp) {
    let user =
        app.post("/users/new", &[("username", "temp"), ("email", "temp@example.com"), ("role", "user")]);
    assert_eq!(user.status, 303);
    let id = app.db.find_by_cond("users", &Cond::eq("username", "temp"), &[]).unwrap()[0].id();
    let id_text = id.to_string();
    let edit = app.post(
        "/tasks/3/edit",
        &[
            ("title", "Backend API"),
            ("description", "Develop the REST API endpoints."),
            ("project_id", "1"),
            ("assignee_id", &id_text),
            ("status", "todo"),
            ("priority", "medium"),
            ("due_date", ""),
            ("estimated_hours", "32"),
        ],
    );
    assert_eq!(edit.status, 303);
    app.get(&format!("/users/{id}/delete")).assert_contains("1 task assigned to them will become unassigned");

    let reply = app.post(&format!("/users/{id}/delete"), &[]);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/users")));
    assert!(app.db.find_by_id("users", id, &[]).unwrap().is_none());
    assert_eq!(app.db.find_by_id("tasks", 3, &[]).unwrap().unwrap()["assignee_id"], Value::Null);
    assert_eq!(app.get(&format!("/users/{id}/edit")).status, 404);
    assert!(app.db.check().unwrap().is_empty());
}

#[rstest]
fn deleting_a_project_takes_its_tasks_and_their_comments(app: TestApp) {
    let (tasks, comments) = (app.db.count("tasks", None).unwrap(), app.db.count("comments", None).unwrap());
    let reply = app.post("/projects/1/delete", &[]);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/projects")));
    let list = app.get_with_cookie("/projects", reply.flash_cookie().as_deref());
    list.assert_contains(
        "Project 'Website Redesign' deleted, and with it 4 tasks and 3 comments (ON DELETE CASCADE).",
    );
    assert!(!list.text.contains("href=\"/projects/1\""));

    assert!(app.db.find_by_id("projects", 1, &[]).unwrap().is_none());
    assert!(app.db.find_by_cond("tasks", &Cond::eq("project_id", 1), &[]).unwrap().is_empty());
    assert_eq!(app.db.count("tasks", None).unwrap(), tasks - 4);
    assert_eq!(
        app.db.count("comments", None).unwrap(),
        comments - 3,
        "the other projects' comments are left"
    );
    for gone in ["/projects/1", "/tasks/1", "/tasks/2", "/tasks/4"] {
        assert_eq!(app.get(gone).status, 404, "{gone}");
    }
    let search = app.get("/search?q=breakpoints");
    search.assert_contains("0 results");
    assert!(app.db.check().unwrap().is_empty());
}

#[rstest]
fn deleting_a_task_takes_its_comments(app: TestApp) {
    let comments = app.db.count("comments", None).unwrap();
    let reply = app.post("/tasks/2/delete", &[]);
    assert_eq!((reply.status, reply.location.as_deref()), (303, Some("/projects/1")));
    let project = app.get_with_cookie("/projects/1", reply.flash_cookie().as_deref());
    project
        .assert_contains("Task 'Frontend development' deleted, and with it 2 comments (ON DELETE CASCADE).");
    assert!(!project.text.contains("Frontend development</a>"));
    assert_eq!(app.db.count("comments", Some(&Cond::eq("task_id", 2))).unwrap(), 0);
    assert_eq!(app.db.count("comments", None).unwrap(), comments - 2);
    assert_eq!(app.get("/tasks/2").status, 404);
    assert!(app.db.check().unwrap().is_empty());
}

#[rstest]
fn a_project_whose_owner_was_freed_can_then_be_deleted_with_its_owner(app: TestApp) {
    // admin owns Server Migration only and wrote no comment: delete the project first,
    // then admin's tasks are unassigned and admin goes.
    assert_eq!(app.post("/projects/3/delete", &[]).status, 303);
    let reply = app.post("/users/1/delete", &[]);
    assert_eq!(reply.status, 303, "{}", reply.text);
    assert_eq!(app.db.count("users", None).unwrap(), 3);
    assert!(app.db.check().unwrap().is_empty());
}
