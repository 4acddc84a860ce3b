//! The lists that sort, page, count and aggregate, over the sample data (52 tasks, 39
//! of them with a due date): each page is checked against the same answer worked out
//! here from every row of the table, and the panel against the calls it should list.

mod common;

use std::cmp::Reverse;

use bazoola::{Cond, Row, Value};
use common::{Resp, TestApp};
use rstest::{fixture, rstest};

#[fixture]
fn app() -> TestApp {
    TestApp::start()
}

/// A row of the task table: its id, status and due date (`None` for "–").
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    id: i64,
    status: String,
    due: Option<String>,
}

/// The text of `html` between the first `start` and the next `end` after it.
fn between<'h>(html: &'h str, start: &str, end: &str) -> Option<&'h str> {
    let from = html.find(start)? + start.len();
    let len = html[from..].find(end)?;
    Some(&html[from..from + len])
}

/// The rows of the task list on a page, in order.
fn listed(page: &Resp) -> Vec<Listed> {
    let table = between(&page.text, "<table class=\"table tasks\">", "</table>").expect("the task table");
    table
        .split("<tr data-id=\"")
        .skip(1)
        .map(|row| Listed {
            id: row[..row.find('"').unwrap()].parse().unwrap(),
            status: between(row, "badge status-", "\"").unwrap().to_string(),
            due: Some(between(row, "class=\"due\">", "<").unwrap().to_string()).filter(|d| d != "–"),
        })
        .collect()
}

/// The tasks in the list's order, worked out from every row: by due date, soonest
/// first, those without one last, ties by id.
fn expected_order(app: &TestApp, status: Option<&str>) -> Vec<Listed> {
    let mut tasks: Vec<Row> = app.db.find_all("tasks", &[]).unwrap();
    tasks.retain(|t| status.is_none_or(|s| t["status"].as_str() == Some(s)));
    let due = |t: &Row| t["due_date"].as_str().map(String::from);
    tasks.sort_by_key(|t| (due(t).is_none(), due(t), t.id()));
    tasks
        .iter()
        .map(|t| Listed { id: t.id(), status: t["status"].as_str().unwrap().to_string(), due: due(t) })
        .collect()
}

/// The panel's calls: each row's cells as text (tags dropped).
fn panel_calls(page: &Resp) -> Vec<Vec<String>> {
    let panel = page.text.split("How this page was built").nth(1).expect("the panel");
    let body = between(panel, "<tbody>", "</tbody>").expect("the calls");
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let mut text = String::new();
                    let mut in_tag = true;
                    for c in cell.chars() {
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
        .collect()
}

#[rstest]
#[case::first(1, 0..20)]
#[case::second(2, 20..40)]
#[case::last(3, 40..52)]
fn the_task_list_is_sorted_by_due_date_twenty_a_page(
    app: TestApp,
    #[case] page: u64,
    #[case] range: std::ops::Range<usize>,
) {
    let expected = expected_order(&app, None);
    assert_eq!(expected.len(), 52);
    let shown = listed(&app.get(&format!("/tasks?page={page}")));
    assert_eq!(shown, expected[range.clone()], "page {page}");
    if page == 1 {
        assert_eq!(shown, listed(&app.get("/tasks")), "/tasks is page 1");
    }
    // Due dates never go down on a page, and once one is missing the rest are too.
    let dated: Vec<&String> = shown.iter().map_while(|t| t.due.as_ref()).collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{dated:?}");
    assert!(shown[dated.len()..].iter().all(|t| t.due.is_none()), "{shown:?}");
    let summary = app.get(&format!("/tasks?page={page}"));
    summary.assert_contains(&format!(
        "Tasks {}–{} of 52, by due date (soonest first, none last) · page {page} of 3",
        range.start + 1,
        range.end
    ));
}

#[rstest]
fn the_pages_together_hold_every_task_once(app: TestApp) {
    let all: Vec<Listed> =
        (1..=3).flat_map(|page| listed(&app.get(&format!("/tasks?page={page}")))).collect();
    assert_eq!(all, expected_order(&app, None));
    // The sample's one tie (2026-12-20) comes out by id.
    let tied: Vec<i64> =
        all.iter().filter(|t| t.due.as_deref() == Some("2026-12-20")).map(|t| t.id).collect();
    assert_eq!(tied.len(), 2);
    assert!(tied[0] < tied[1], "{tied:?}");
}

#[rstest]
#[case::past_the_last("/tasks?page=99", 3)]
#[case::far_past("/tasks?page=18446744073709551615", 3)]
#[case::zero("/tasks?page=0", 1)]
#[case::negative("/tasks?page=-2", 1)]
#[case::not_a_number("/tasks?page=abc", 1)]
#[case::empty("/tasks?page=", 1)]
#[case::past_the_last_of_a_status("/tasks?status=todo&page=7", 2)]
fn a_page_out_of_range_shows_the_nearest_one(app: TestApp, #[case] path: &str, #[case] shown: u64) {
    let page = app.get(path);
    assert_eq!(page.status, 200, "{path}");
    let same = if path.contains("status=todo") {
        app.get(&format!("/tasks?status=todo&page={shown}"))
    } else {
        app.get(&format!("/tasks?page={shown}"))
    };
    assert_eq!(listed(&page), listed(&same), "{path} shows page {shown}");
    assert!(!listed(&page).is_empty());
    page.assert_contains(&format!("<span class=\"current\" aria-current=\"page\">{shown}</span>"));
}

#[rstest]
fn the_status_filter_pages_and_its_links_keep_it(app: TestApp) {
    let expected = expected_order(&app, Some("todo"));
    assert_eq!(expected.len(), 23, "20 on the first page, 3 on the second");
    let first = app.get("/tasks?status=todo");
    assert_eq!(listed(&first), expected[..20]);
    first.assert_contains("Tasks 1–20 of 23");
    first.assert_contains("<a href=\"/tasks?status=todo&page=2\" rel=\"next\">next →</a>");
    first.assert_contains("<a href=\"/tasks?status=todo&page=2\">2</a>");
    first.assert_contains("<span class=\"disabled\">← previous</span>");
    first.assert_contains("AND(EQ(status='todo'), NOT(IS_NULL(due_date)))");
    first.assert_contains("tasks via index on status: status IN ('todo')");

    let second = app.get("/tasks?status=todo&page=2");
    assert_eq!(listed(&second), expected[20..]);
    assert!(listed(&second).iter().all(|t| t.status == "todo"));
    second.assert_contains("Tasks 21–23 of 23");
    second.assert_contains("<a href=\"/tasks?status=todo\" rel=\"prev\">← previous</a>");
    second.assert_contains("<a href=\"/tasks?status=todo\">1</a>");
    second.assert_contains("<span class=\"disabled\">next →</span>");

    // A status with fewer than a page has no page links; an unknown one lists all.
    let blocked = app.get("/tasks?status=blocked");
    assert_eq!(listed(&blocked), expected_order(&app, Some("blocked")));
    assert!(!blocked.text.contains("class=\"pager\""));
    assert_eq!(listed(&app.get("/tasks?status=nonsense")), listed(&app.get("/tasks")));
}

#[rstest]
fn the_middle_page_links_both_ways_and_to_every_page(app: TestApp) {
    let page = app.get("/tasks?page=2");
    page.assert_contains("<a href=\"/tasks\" rel=\"prev\">← previous</a>");
    page.assert_contains("<a href=\"/tasks?page=3\" rel=\"next\">next →</a>");
    page.assert_contains("<a href=\"/tasks\">1</a>");
    page.assert_contains("<span class=\"current\" aria-current=\"page\">2</span>");
    page.assert_contains("<a href=\"/tasks?page=3\">3</a>");
}

#[rstest]
fn the_panel_shows_each_part_of_the_page_with_its_plan(app: TestApp) {
    // Page 2: the 21st to 39th task with a due date, then the first without one.
    let calls = panel_calls(&app.get("/tasks?page=2"));
    let summary: Vec<(&str, &str)> = calls.iter().map(|c| (c[1].as_str(), c[5].as_str())).collect();
    assert_eq!(
        summary,
        [("query.count", "52"), ("query.count", "39"), ("query.rows", "19"), ("query.rows", "1")]
    );
    let joins = "Join(project_id → project, projects), Join(assignee_id → assignee, users)";
    let (arguments, plan) = calls[2][3].split_once("plan").unwrap();
    let plan = plan.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        arguments,
        format!("NOT(IS_NULL(due_date)), {joins} ORDER BY due_date, id LIMIT 20 OFFSET 20")
    );
    assert!(plan.contains("order by due_date, id: top 40 of a sort"), "{plan}");
    assert!(plan.contains("limit 20 offset 20 [actual: 19 rows"), "{plan}");
    let (arguments, plan) = calls[3][3].split_once("plan").unwrap();
    let plan = plan.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(arguments, format!("IS_NULL(due_date), {joins} ORDER BY id LIMIT 1"));
    assert!(plan.contains("limit 1 [actual: 1 rows"), "{plan}");

    // Page 3 needs no rows with a due date: the second query starts 1 in.
    let calls = panel_calls(&app.get("/tasks?page=3"));
    assert_eq!(calls.len(), 3);
    assert_eq!(
        calls[2][3].split_once("plan").unwrap().0,
        format!("IS_NULL(due_date), {joins} ORDER BY id LIMIT 20 OFFSET 1")
    );
}

#[rstest]
fn new_tasks_take_their_place_in_the_order(app: TestApp) {
    let form = |title: &'static str, due: &'static str| {
        [
            ("title", title),
            ("description", "Made by the test."),
            ("project_id", "1"),
            ("assignee_id", ""),
            ("status", "todo"),
            ("priority", "low"),
            ("due_date", due),
            ("estimated_hours", ""),
        ]
    };
    let soonest = app.post("/tasks/new", &form("Before all the others", "2026-01-05")).redirect_id();
    let undated = app.post("/tasks/new", &form("Whenever", "")).redirect_id();
    assert_eq!(listed(&app.get("/tasks"))[0].id, soonest);
    let last = listed(&app.get("/tasks?page=3"));
    assert_eq!(last.len(), 14);
    assert_eq!(last.last().map(|t| t.id), Some(undated));
    assert_eq!(listed(&app.get("/tasks?status=todo&page=2")).last().map(|t| t.id), Some(undated));
}

/// The tasks and comments of each project, counted one row at a time.
fn counted(app: &TestApp) -> Vec<(String, u64, u64)> {
    app.db
        .find_all("projects", &[])
        .unwrap()
        .iter()
        .map(|project| {
            let tasks = app.db.find_by_cond("tasks", &Cond::eq("project_id", project.id()), &[]).unwrap();
            let comments: u64 = tasks
                .iter()
                .map(|t| app.db.count("comments", Some(&Cond::eq("task_id", t.id()))).unwrap())
                .sum();
            (project["name"].as_str().unwrap().to_string(), tasks.len() as u64, comments)
        })
        .collect()
}

/// The name and the two counts of each row of the projects page.
fn project_rows(page: &Resp) -> Vec<(String, u64, u64)> {
    let table = between(&page.text, "<table class=\"table projects\">", "</table>").unwrap();
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let name = between(row, "\">", "</a>").unwrap().to_string();
            let numbers: Vec<u64> = row
                .split("<td class=\"num\">")
                .skip(1)
                .map(|c| c.split('<').next().unwrap().parse().unwrap())
                .collect();
            (name, numbers[0], numbers[1])
        })
        .collect()
}

#[rstest]
fn project_counts_match_the_rows_counted_one_by_one(app: TestApp) {
    let expected = counted(&app);
    assert_eq!(
        expected,
        [
            ("Website Redesign".to_string(), 4, 3),
            ("Mobile App".to_string(), 17, 3),
            ("Server Migration".to_string(), 16, 2),
            ("Office Move".to_string(), 15, 2),
        ]
    );
    let page = app.get("/projects");
    assert_eq!(project_rows(&page), expected);
    // One call: the two counts ride on the projects query, read from the FK indexes.
    let calls = panel_calls(&page);
    assert_eq!(calls.len(), 1, "{calls:?}");
    let plan = calls[0][3].split_once("plan").unwrap().1;
    assert!(plan.contains("count tasks: tasks rows whose project_id points here, via index on project_id (index entries only)"), "{plan}");
    assert!(plan.contains("count comments: across tasks rows whose project_id points here"), "{plan}");

    // A comment, a new task and a deleted task move the counts as they should.
    assert_eq!(app.post("/tasks/20/comment", &[("user_id", "3"), ("content", "One more.")]).status, 303);
    assert_eq!(app.post("/tasks/2/delete", &[]).status, 303);
    let after = counted(&app);
    assert_ne!(after, expected);
    assert_eq!(project_rows(&app.get("/projects")), after);
}

#[rstest]
#[case::website(1, "4 tasks and 3 comments")]
#[case::office_move(4, "15 tasks and 2 comments")]
fn the_delete_page_counts_what_the_cascade_takes(app: TestApp, #[case] id: i64, #[case] effect: &str) {
    let (_, tasks, comments) = counted(&app)[id as usize - 1].clone();
    assert_eq!(effect, format!("{tasks} tasks and {comments} comments"));
    let page = app.get(&format!("/projects/{id}/delete"));
    page.assert_contains(&format!("{effect} on them will be deleted with it"));
    let calls = panel_calls(&page);
    assert_eq!((calls.len(), calls[0][1].as_str()), (1, "find_by_id"));

    let reply = app.post(&format!("/projects/{id}/delete"), &[]);
    let list = app.get_with_cookie("/projects", reply.flash_cookie().as_deref());
    list.assert_contains(&format!("and with it {effect} (ON DELETE CASCADE)."));
}

#[rstest]
fn the_dashboard_counts_tasks_per_status_from_the_status_index(app: TestApp) {
    let page = app.get("/");
    for status in ["todo", "in_progress", "done", "blocked"] {
        let n = app.db.count("tasks", Some(&Cond::eq("status", status))).unwrap();
        let shown = between(&page.text, &format!("data-status=\"{status}\">"), "</a>").unwrap();
        assert!(shown.ends_with(&format!("<span class=\"n\">{n}</span>")), "{status}: {shown}");
    }
    let total = app.db.count("tasks", None).unwrap();
    page.assert_contains(&format!("<div class=\"number\">{total}</div><a href=\"/tasks\">tasks</a>"));
    let calls = panel_calls(&page);
    let aggregate = calls.iter().find(|c| c[1] == "query.aggregate").expect("the aggregate call");
    let (arguments, plan) = aggregate[3].split_once("plan").unwrap();
    assert_eq!(arguments, "COUNT() AS n GROUP BY status");
    assert!(plan.contains("counted from index runs, no row read"), "{plan}");
    assert_eq!(aggregate[5], "4", "one row per status");

    // A status changed moves one task from one count to the other.
    let before = app.db.count("tasks", Some(&Cond::eq("status", "blocked"))).unwrap();
    let task = app.db.find_by_id("tasks", 1, &[]).unwrap().unwrap();
    assert_eq!(task["status"], Value::from("done"));
    app.db.update_by_id("tasks", 1, [("status", "blocked")]).unwrap();
    let page = app.get("/");
    let shown = between(&page.text, "data-status=\"blocked\">", "</a>").unwrap();
    assert!(shown.ends_with(&format!("<span class=\"n\">{}</span>", before + 1)), "{shown}");
}

#[rstest]
fn the_dashboard_shows_the_five_newest_tasks(app: TestApp) {
    let mut ids: Vec<i64> = app.db.find_all("tasks", &[]).unwrap().iter().map(Row::id).collect();
    ids.sort_by_key(|id| Reverse(*id));
    let page = app.get("/");
    let newest = between(&page.text, "<h2>Newest tasks</h2>", "</section>").unwrap();
    let shown: Vec<i64> = newest
        .split("<h3><a href=\"/tasks/")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(shown, ids[..5]);
    page.assert_contains("ORDER BY id DESC LIMIT 5");
}

#[rstest]
fn users_are_listed_by_username(app: TestApp) {
    for (name, role) in [("zoe", "user"), ("aaron", "admin"), ("bea", "manager")] {
        let form = [("username", name), ("email", &format!("{name}@example.com")), ("role", role)];
        assert_eq!(app.post("/users/new", &form).status, 303);
    }
    let page = app.get("/users");
    let shown: Vec<&str> = page
        .text
        .split("<div class=\"card user\">")
        .skip(1)
        .map(|c| between(c, "<h3>", "</h3>").unwrap())
        .collect();
    assert_eq!(shown, ["aaron", "admin", "alice", "bea", "bob", "charlie", "zoe"]);
    let calls = panel_calls(&page);
    assert_eq!(
        (calls[0][1].as_str(), calls[0][3].split_once("plan").unwrap().0),
        ("query.rows", "ORDER BY username")
    );
}
