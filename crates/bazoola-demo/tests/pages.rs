//! Every page over the sample data: what it shows, the database calls its "how this
//! page was built" panel lists, and the 404 page for anything that is not there.

mod common;

use common::TestApp;
use rstest::{fixture, rstest};

#[fixture]
fn app() -> TestApp {
    TestApp::start()
}

#[rstest]
#[case::dashboard("/", &["Dashboard", "Website Redesign", "Tasks by status", "COUNT() AS n GROUP BY status", "ORDER BY id DESC LIMIT 5"])]
#[case::users("/users", &["alice", "charlie@example.com", "ORDER BY username"])]
#[case::new_user("/users/new", &["New user", "name=\"username\"", "name=\"email\"", "name=\"role\""])]
#[case::edit_user("/users/2/edit", &["Edit user", "value=\"alice\"", "find_by_id", "id=2"])]
#[case::confirm_user_delete("/users/3/delete", &["Delete user 'bob'?", "ON DELETE SET NULL", "EQ(assignee_id=3)"])]
#[case::projects("/projects", &["Website Redesign", "Server Migration", "Office Move", "InverseCount(project_id → tasks, tasks)"])]
#[case::project("/projects/1", &["Website Redesign", "Design mockups", "Write launch post", "EQ(project_id=1)"])]
#[case::new_project("/projects/new", &["New project", "name=\"owner_id\"", "name=\"due_date\""])]
#[case::edit_project("/projects/2/edit", &["Edit project", "value=\"Mobile App\"", "Develop the iOS and Android app."])]
#[case::confirm_project_delete("/projects/1/delete", &["4 tasks and 3 comments on them will be deleted", "InverseCount(project_id → comments, tasks).through(InverseCount(task_id → n, comments))"])]
#[case::tasks("/tasks", &["Sketch the login screen", "Join(project_id → project, projects)", "ORDER BY due_date, id LIMIT 20"])]
#[case::tasks_last_page("/tasks?page=3", &["Backend API", "Inventory old servers", "IS_NULL(due_date)"])]
#[case::tasks_by_status("/tasks?status=blocked", &["Push notifications", "EQ(status='blocked')"])]
#[case::task("/tasks/2", &["Frontend development", "Phones first", "Comments (2)", "Join(user_id → author, users)"])]
#[case::new_task("/tasks/new", &["New task", "name=\"estimated_hours\"", "name=\"assignee_id\""])]
#[case::new_task_in_project("/tasks/new?project_id=2", &["<option value=\"2\" selected>Mobile App</option>"])]
#[case::edit_task("/tasks/1/edit", &["Edit task", "value=\"Design mockups\"", "value=\"16\""])]
#[case::confirm_task_delete("/tasks/2/delete", &["Delete task 'Frontend development'?", "2 comments on it"])]
#[case::empty_search("/search", &["Type a word in the search box"])]
#[case::search("/search?q=web", &["Website Redesign", "ISUBSTR(name='web')"])]
fn every_page_renders_with_its_build_panel(app: TestApp, #[case] path: &str, #[case] expected: &[&str]) {
    let page = app.get(path);
    assert_eq!(page.status, 200, "{path}: {}", page.text);
    page.assert_contains("How this page was built");
    for needle in expected {
        page.assert_contains(needle);
    }
}

#[rstest]
#[case("/search?q=")]
#[case("/static/style.css")]
fn pages_without_database_calls_say_so(app: TestApp, #[case] path: &str) {
    let page = app.get(path);
    assert_eq!(page.status, 200);
    if path.ends_with(".css") {
        page.assert_contains(".built");
    } else {
        page.assert_contains("This page made no database calls.");
    }
}

#[rstest]
#[case::project("GET", "/projects/999", "project 999")]
#[case::project_not_a_number("GET", "/projects/abc", "project abc")]
#[case::project_zero("GET", "/projects/0/edit", "project 0")]
#[case::edit_project("GET", "/projects/999/edit", "project 999")]
#[case::delete_project_page("GET", "/projects/999/delete", "project 999")]
#[case::task("GET", "/tasks/999", "task 999")]
#[case::edit_task("GET", "/tasks/999/edit", "task 999")]
#[case::delete_task_page("GET", "/tasks/999/delete", "task 999")]
#[case::edit_user("GET", "/users/999/edit", "user 999")]
#[case::delete_user_page("GET", "/users/-1/delete", "user -1")]
#[case::unknown_page("GET", "/nowhere", "page")]
#[case::post_edit_user("POST", "/users/999/edit", "user 999")]
#[case::post_delete_user("POST", "/users/999/delete", "user 999")]
#[case::post_edit_project("POST", "/projects/999/edit", "project 999")]
#[case::post_delete_project("POST", "/projects/999/delete", "project 999")]
#[case::post_edit_task("POST", "/tasks/999/edit", "task 999")]
#[case::post_delete_task("POST", "/tasks/999/delete", "task 999")]
#[case::post_comment("POST", "/tasks/999/comment", "task 999")]
fn missing_rows_are_a_404_page(app: TestApp, #[case] method: &str, #[case] path: &str, #[case] what: &str) {
    let before = app.snapshot();
    let page = match method {
        "GET" => app.get(path),
        _ => app.post(path, &[("user_id", "1"), ("content", "hello"), ("username", "x")]),
    };
    assert_eq!(page.status, 404, "{method} {path}");
    page.assert_contains("Not found");
    page.assert_contains(&format!("There is no {what} here"));
    page.assert_contains("How this page was built");
    assert_eq!(app.snapshot(), before, "{method} {path} wrote something");
}

#[rstest]
#[case::project_name("WEBSITE", &["results-projects", "Website Redesign", "Write launch post"], &["results-users"])]
#[case::project_description("data centre", &["Server Migration"], &["results-tasks"])]
#[case::task_title("MockUps", &["results-tasks", "Design mockups"], &["results-projects"])]
#[case::task_description("wireframes", &["results-tasks", "Design mockups"], &["results-comments"])]
#[case::comment("BREAKPOINTS", &["results-comments", "Need clarification", "Frontend development"], &["results-tasks"])]
#[case::user("Charlie", &["results-users", "charlie@example.com"], &["results-projects"])]
#[case::nothing("zebra", &["0 results", "Nothing contains"], &["results-projects", "results-tasks", "results-comments"])]
fn search_is_case_insensitive_across_tables(
    app: TestApp,
    #[case] q: &str,
    #[case] present: &[&str],
    #[case] absent: &[&str],
) {
    let page = app.get(&format!("/search?q={}", q.replace(' ', "+")));
    assert_eq!(page.status, 200);
    for needle in present {
        page.assert_contains(needle);
    }
    for needle in absent {
        assert!(!page.text.contains(needle), "{needle:?} should not be on the page for {q:?}");
    }
    for call in ["OR(ISUBSTR(name=", "OR(ISUBSTR(title=", "ISUBSTR(content=", "OR(ISUBSTR(username="] {
        page.assert_contains(call);
    }
}

#[rstest]
fn the_panel_lists_each_call_with_its_plan_and_rows_examined_and_returned(app: TestApp) {
    let page = app.get("/projects/1");
    let panel = page.text.split("How this page was built").nth(1).expect("the panel");
    let body = panel.split("<tbody>").nth(1).and_then(|b| b.split("</tbody>").next()).expect("the calls");
    let rows: Vec<Vec<String>> = body
        .split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let inner = &cell[cell.find('>').unwrap() + 1..];
                    let mut text = String::new();
                    let mut in_tag = false;
                    for c in inner.chars() {
                        match c {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.trim().to_string()
                })
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The arguments cell holds the call's arguments, then its plan.
    let (arguments, plan) = rows[0][3].split_once("plan").expect("a plan");
    assert_eq!(
        (rows[0][1].as_str(), rows[0][2].as_str(), arguments),
        ("find_by_id", "projects", "id=1, Join(owner_id → owner, users)")
    );
    assert!(plan.starts_with("projects by id via PK index: 1"), "{plan}");
    assert_eq!(rows[0][5], "1", "one project returned");
    let (arguments, plan) = rows[1][3].split_once("plan").expect("a plan");
    assert_eq!(
        (rows[1][1].as_str(), rows[1][2].as_str(), arguments),
        ("find_by_cond", "tasks", "EQ(project_id=1), Join(assignee_id → assignee, users)")
    );
    assert!(plan.starts_with("tasks via index on project_id: project_id IN (1)"), "{plan}");
    assert_eq!(rows[1][5], "4", "four tasks returned");
    let examined: u64 = rows[1][4].parse().unwrap();
    // The FK index's 4 entries, the 4 rows they lead to, and the 2 assignees: nowhere
    // near a scan of all 52 tasks.
    assert!(
        (4..=12).contains(&examined),
        "the FK index yields the 4 tasks, not a scan of all 52: {examined}"
    );
    assert!(rows.iter().all(|r| r[6].ends_with("µs") || r[6].ends_with("ms")));
}

#[rstest]
fn project_counts_are_not_multiplied_by_joins(app: TestApp) {
    // Website Redesign: 4 tasks, 3 comments (a join of both would count 12 of each).
    let page = app.get("/projects");
    let row = page.text.split("<tr>").find(|r| r.contains("Website Redesign")).unwrap();
    let numbers: Vec<&str> =
        row.split("<td class=\"num\">").skip(1).map(|c| c.split('<').next().unwrap()).collect();
    assert_eq!(numbers, ["4", "3"]);
}
