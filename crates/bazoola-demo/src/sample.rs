//! The sample data a new data directory is filled with: four users, three projects,
//! their tasks and a few comments — enough to show every relation and delete rule.

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

        type Task<'a> = (&'a str, &'a str, i64, Option<i64>, &'a str, &'a str, Option<&'a str>, Option<i64>);
        let tasks: [Task; 7] = [
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
        for (title, description, project, assignee, status, priority, due, hours) in tasks {
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
        for (task, author, content) in comments {
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
