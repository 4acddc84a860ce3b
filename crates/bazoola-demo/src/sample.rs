//! The sample data a new data directory is filled with: four users, four projects,
//! 52 tasks and ten comments — enough to show every relation and delete rule, and a
//! task list long enough to sort and page.
//!
//! Seven tasks and four comments are written out by hand (the tests know them by id);
//! 45 more are generated, the same ones every time, across Mobile App, Server Migration
//! and Office Move: their statuses, priorities, assignees, hours and due dates (some
//! none) follow fixed patterns of their number, and every eighth of them has a comment.

use bazoola::{Database, Result, Value};

use crate::date::today;

/// Empties every table (resetting the id sequences) and fills them with the samples,
/// in one transaction.
pub fn reset(db: &Database) -> Result<()> {
    db.transaction(|db| {
        for table in ["comments", "tasks", "projects", "users"] {
            db.truncate(table, true)?;
        }
        fill(db)
    })
}

/// Inserts the samples into empty tables.
pub fn fill(db: &Database) -> Result<()> {
    let today = today();
    db.transaction(|db| {
        let user = |name: &str, role: &str| -> Result<i64> {
            let email = format!("{name}@example.com");
            Ok(db.insert("users", [("username", name), ("email", &email), ("role", role)])?.id())
        };
        let admin = user("admin", "admin")?;
        let alice = user("alice", "manager")?;
        let bob = user("bob", "user")?;
        let charlie = user("charlie", "user")?;

        let project = |name: &str, description: &str, owner: i64, status: &str, due: Option<&str>| {
            let values: [(&str, Value); 6] = [
                ("name", name.into()),
                ("description", description.into()),
                ("owner_id", owner.into()),
                ("status", status.into()),
                ("created_date", today.as_str().into()),
                ("due_date", due.into()),
            ];
            db.insert("projects", values).map(|row| row.id())
        };
        let website = project(
            "Website Redesign",
            "Complete overhaul of the company website: new look, faster pages, and a blog.",
            alice,
            "active",
            Some("2026-12-31"),
        )?;
        let mobile =
            project("Mobile App", "Develop the iOS and Android app.", alice, "active", Some("2027-03-15"))?;
        let infra = project(
            "Server Migration",
            "Move the old servers to the new data centre, one service at a time.",
            admin,
            "paused",
            None,
        )?;
        let office = project(
            "Office Move",
            "Move the team to the new office on Harbour Street, desks and all.",
            bob,
            "active",
            Some("2027-01-29"),
        )?;

        type Task<'a> = (&'a str, &'a str, i64, Option<i64>, &'a str, &'a str, Option<&'a str>, Option<i64>);
        let tasks: [Task; SAMPLE_TASKS] = [
            (
                "Design mockups",
                "Create wireframes and visual designs.",
                website,
                Some(bob),
                "done",
                "high",
                None,
                Some(16),
            ),
            (
                "Frontend development",
                "Implement the responsive HTML and CSS.",
                website,
                Some(bob),
                "in_progress",
                "high",
                Some("2026-12-20"),
                Some(40),
            ),
            (
                "Backend API",
                "Develop the REST API endpoints.",
                website,
                Some(charlie),
                "todo",
                "medium",
                None,
                Some(32),
            ),
            (
                "Write launch post",
                "Announce the new website on the blog.",
                website,
                None,
                "todo",
                "low",
                None,
                None,
            ),
            (
                "App architecture",
                "Plan the mobile app's structure.",
                mobile,
                Some(bob),
                "todo",
                "medium",
                None,
                Some(8),
            ),
            (
                "Push notifications",
                "Send reminders when a task is due.",
                mobile,
                Some(charlie),
                "blocked",
                "high",
                None,
                Some(12),
            ),
            (
                "Inventory old servers",
                "List every service and what it depends on.",
                infra,
                Some(admin),
                "done",
                "medium",
                None,
                Some(6),
            ),
        ];
        let mut ids = Vec::new();
        let generated = generated_tasks([mobile, infra, office], [admin, alice, bob, charlie]);
        let all = tasks
            .iter()
            .map(|t| (t.0.to_string(), t.1.to_string(), t.2, t.3, t.4, t.5, t.6.map(String::from), t.7));
        for (title, description, project, assignee, status, priority, due, hours) in all.chain(generated) {
            let values: [(&str, Value); 9] = [
                ("title", title.into()),
                ("description", description.into()),
                ("project_id", project.into()),
                ("assignee_id", assignee.into()),
                ("status", status.into()),
                ("priority", priority.into()),
                ("created_date", today.as_str().into()),
                ("due_date", due.into()),
                ("estimated_hours", hours.into()),
            ];
            ids.push(db.insert("tasks", values)?.id());
        }

        let comments = [
            (ids[0], alice, "Great work on the initial designs!"),
            (ids[1], bob, "Need clarification on the mobile breakpoints."),
            (ids[1], alice, "Phones first; tablets can wait for the next round."),
            (ids[5], charlie, "Blocked until we pick a notification provider."),
        ];
        let notes = [
            "Started on this today.",
            "Waiting for a reply from the supplier.",
            "Half done; the rest after the review.",
            "Moved to next week, see the plan.",
        ];
        // Every eighth generated task (the 3rd, 11th, …), by bob and charlie in turn.
        let generated_comments = (2..GENERATED).step_by(8).map(|i| {
            let author = if (i / 8) % 2 == 0 { bob } else { charlie };
            (ids[SAMPLE_TASKS + i], author, notes[(i / 8) % notes.len()])
        });
        for (task, author, content) in comments.into_iter().chain(generated_comments) {
            let values: [(&str, Value); 4] = [
                ("task_id", task.into()),
                ("user_id", author.into()),
                ("content", content.into()),
                ("created_date", today.as_str().into()),
            ];
            db.insert("comments", values)?;
        }
        Ok(())
    })
}

/// Tasks written out by hand, first.
const SAMPLE_TASKS: usize = 7;
/// Tasks generated after them.
const GENERATED: usize = 45;

/// A task to insert: title, description, project, assignee, status, priority, due date,
/// estimated hours.
type NewTask = (String, String, i64, Option<i64>, &'static str, &'static str, Option<String>, Option<i64>);

/// The 45 generated tasks, in order: the `i`th goes to project `i % 3` of `projects`
/// (each has 15, named by a verb and a thing); status, priority, assignee and hours
/// cycle through short patterns; the due date is a day of November or December 2026
/// that no two share (`13 i mod 50`, days since 1 November counted 28 to a month), and
/// every sixth task has none.
fn generated_tasks(projects: [i64; 3], [admin, alice, bob, charlie]: [i64; 4]) -> Vec<NewTask> {
    let themes: [(&[&str; 3], &[&str; 5], &str); 3] = [
        (
            &["Sketch", "Build", "Test"],
            &["the login screen", "the task list", "the settings page", "offline mode", "the home widget"],
            "Part of the app's first release.",
        ),
        (
            &["Back up", "Move", "Check"],
            &["the mail server", "the file share", "the build server", "the wiki", "the print queue"],
            "One service at a time, with a way back.",
        ),
        (
            &["Choose", "Order", "Install"],
            &["desks", "chairs", "screens", "kitchen shelves", "meeting-room lights"],
            "For the move to Harbour Street.",
        ),
    ];
    const STATUSES: [&str; 9] =
        ["todo", "in_progress", "todo", "done", "todo", "blocked", "todo", "done", "in_progress"];
    const PRIORITIES: [&str; 4] = ["medium", "low", "high", "medium"];
    let assignees = [Some(bob), Some(charlie), Some(alice), None, Some(admin)];
    (0..GENERATED)
        .map(|i| {
            let (verbs, things, note) = themes[i % 3];
            let j = i / 3;
            let title = format!("{} {}", verbs[j / 5], things[j % 5]);
            let description = format!("{note} Step {} of 15.", j + 1);
            let k = (i * 13) % 50;
            let due = (i % 6 != 5).then(|| format!("2026-{:02}-{:02}", 11 + k / 28, k % 28 + 1));
            let hours = (i % 7 != 3).then_some(2 + (i as i64 * 5) % 14);
            let priority = PRIORITIES[(i + i / 4) % PRIORITIES.len()];
            (title, description, projects[i % 3], assignees[i % 5], STATUSES[i % 9], priority, due, hours)
        })
        .collect()
}
