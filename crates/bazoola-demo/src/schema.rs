//! The task manager's four tables, and the values its choice fields accept.
//!
//! Users own projects (RESTRICT: a user who owns a project cannot be deleted), projects
//! hold tasks (CASCADE), tasks hold comments (CASCADE), and a task's assignee becomes
//! null when that user is deleted (SET NULL). Comment authors are RESTRICT, like owners.
//!
//! Indexes: an email belongs to one user (UNIQUE), tasks are listed by status (INDEX),
//! and every FK is indexed automatically — so a project's tasks, a task's comments and
//! the delete rules are index lookups, not scans.

use bazoola::{Field, OnDelete, TableSchema};

pub const ROLES: &[&str] = &["admin", "manager", "user"];
pub const PROJECT_STATUSES: &[&str] = &["active", "paused", "completed"];
pub const TASK_STATUSES: &[&str] = &["todo", "in_progress", "done", "blocked"];
pub const PRIORITIES: &[&str] = &["low", "medium", "high"];

pub fn tables() -> Vec<TableSchema> {
    vec![
        TableSchema::new("users")
            .field(Field::char("username", 20))
            .field(Field::char("email", 50).unique())
            .field(Field::char("role", 10)),
        TableSchema::new("projects")
            .field(Field::char("name", 30))
            .field(Field::text("description"))
            .field(Field::fk("owner_id", "users").on_delete(OnDelete::Restrict))
            .field(Field::char("status", 10))
            .field(Field::char("created_date", 10))
            .field(Field::char("due_date", 10).nullable()),
        TableSchema::new("tasks")
            .field(Field::char("title", 50))
            .field(Field::text("description"))
            .field(Field::fk("project_id", "projects").on_delete(OnDelete::Cascade))
            .field(Field::fk("assignee_id", "users").nullable().on_delete(OnDelete::SetNull))
            .field(Field::char("status", 15).indexed())
            .field(Field::char("priority", 6))
            .field(Field::char("created_date", 10))
            .field(Field::char("due_date", 10).nullable())
            .field(Field::int("estimated_hours").nullable()),
        TableSchema::new("comments")
            .field(Field::fk("task_id", "tasks").on_delete(OnDelete::Cascade))
            .field(Field::fk("user_id", "users"))
            .field(Field::text("content"))
            .field(Field::char("created_date", 10)),
    ]
}
