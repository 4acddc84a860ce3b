//! The HTML forms: what each posts, how it is checked, and how a refusal from the
//! database becomes a message next to the field it is about.
//!
//! Checking happens in two steps. The form's own rules (required fields, numbers, dates,
//! choices) come first and report every problem at once; then the database validates
//! the row as it always does (lengths, sizes, foreign keys) and refuses the first problem
//! it meets, writing nothing. Either way the page shows the form again with the user's
//! input in it.

use std::collections::BTreeMap;

use bazoola::{Error, IntegrityError, Row, Value};
use serde::{Deserialize, Serialize};

use crate::date::is_date;
use crate::schema::{PRIORITIES, PROJECT_STATUSES, ROLES, TASK_STATUSES};

/// Problems with a submitted form, by field name.
#[derive(Debug, Default, Clone, Serialize)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// "field: message" lines, for the summary above the form.
    pub fn lines(&self) -> Vec<String> {
        self.0.iter().map(|(field, message)| format!("{field}: {message}")).collect()
    }

    /// The form-level problem a database error amounts to, if it is about the input
    /// (a value that does not fit, a reference to a missing row); other errors are not.
    /// It reads the field and values off the error, never its message.
    pub fn from_db(error: &Error) -> Option<FormErrors> {
        let (field, message) = match error {
            Error::Validation(v) => (v.field().unwrap_or("id"), lower_first(&v.reason())),
            Error::Integrity(IntegrityError::MissingTarget { field, target, id, .. }) => {
                (field.as_str(), format!("there is no row with id {id} in '{target}'"))
            }
            Error::Integrity(IntegrityError::Unique { field, value, .. }) => {
                (field.as_str(), format!("{value} is already taken"))
            }
            _ => return None,
        };
        let mut errors = FormErrors::default();
        errors.add(field, message);
        Some(errors)
    }
}

/// `The value is too long` → `the value is too long`, to follow a field's label.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A text input, trimmed; empty is an error when `required`.
fn text(errors: &mut FormErrors, field: &str, input: &str, required: bool) -> String {
    let value = input.trim().to_string();
    if required && value.is_empty() {
        errors.add(field, "this field is required");
    }
    value
}

fn choice(errors: &mut FormErrors, field: &str, input: &str, choices: &[&str]) -> String {
    if !choices.contains(&input) {
        errors.add(field, format!("must be one of {}", choices.join(", ")));
    }
    input.to_string()
}

/// A whole number, or null when empty and not `required`.
fn number(errors: &mut FormErrors, field: &str, input: &str, required: bool) -> Value {
    match input.trim() {
        "" if required => {
            errors.add(field, "this field is required");
            Value::Null
        }
        "" => Value::Null,
        text => match text.parse::<i64>() {
            Ok(n) => Value::Int(n),
            Err(_) => {
                errors.add(field, "must be a whole number");
                Value::Null
            }
        },
    }
}

fn optional_date(errors: &mut FormErrors, field: &str, input: &str) -> Value {
    match input.trim() {
        "" => Value::Null,
        date if is_date(date) => Value::from(date),
        _ => {
            errors.add(field, "must be a date written YYYY-MM-DD");
            Value::Null
        }
    }
}

/// The text an input shows for a stored value: nothing for null.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct UserForm {
    pub username: String,
    pub email: String,
    pub role: String,
}

impl UserForm {
    pub fn blank() -> UserForm {
        UserForm { role: "user".into(), ..UserForm::default() }
    }

    pub fn from_row(row: &Row) -> UserForm {
        UserForm { username: shown(&row["username"]), email: shown(&row["email"]), role: shown(&row["role"]) }
    }

    pub fn values(&self) -> Result<Vec<(&'static str, Value)>, FormErrors> {
        let mut errors = FormErrors::default();
        let username = text(&mut errors, "username", &self.username, true);
        let email = text(&mut errors, "email", &self.email, true);
        if !email.is_empty() && !email.contains('@') {
            errors.add("email", "must be an email address");
        }
        let role = choice(&mut errors, "role", &self.role, ROLES);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(vec![("username", username.into()), ("email", email.into()), ("role", role.into())])
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ProjectForm {
    pub name: String,
    pub description: String,
    pub owner_id: String,
    pub status: String,
    pub due_date: String,
}

impl ProjectForm {
    pub fn blank() -> ProjectForm {
        ProjectForm { status: "active".into(), ..ProjectForm::default() }
    }

    pub fn from_row(row: &Row) -> ProjectForm {
        ProjectForm {
            name: shown(&row["name"]),
            description: shown(&row["description"]),
            owner_id: shown(&row["owner_id"]),
            status: shown(&row["status"]),
            due_date: shown(&row["due_date"]),
        }
    }

    /// The fields to write; `created_date` is the caller's to add on insert.
    pub fn values(&self) -> Result<Vec<(&'static str, Value)>, FormErrors> {
        let mut errors = FormErrors::default();
        let name = text(&mut errors, "name", &self.name, true);
        let description = text(&mut errors, "description", &self.description, false);
        let owner_id = number(&mut errors, "owner_id", &self.owner_id, true);
        let status = choice(&mut errors, "status", &self.status, PROJECT_STATUSES);
        let due_date = optional_date(&mut errors, "due_date", &self.due_date);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(vec![
            ("name", name.into()),
            ("description", description.into()),
            ("owner_id", owner_id),
            ("status", status.into()),
            ("due_date", due_date),
        ])
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub project_id: String,
    pub assignee_id: String,
    pub status: String,
    pub priority: String,
    pub due_date: String,
    pub estimated_hours: String,
}

impl TaskForm {
    pub fn blank(project_id: Option<i64>) -> TaskForm {
        TaskForm {
            project_id: project_id.map(|id| id.to_string()).unwrap_or_default(),
            status: "todo".into(),
            priority: "medium".into(),
            ..TaskForm::default()
        }
    }

    pub fn from_row(row: &Row) -> TaskForm {
        TaskForm {
            title: shown(&row["title"]),
            description: shown(&row["description"]),
            project_id: shown(&row["project_id"]),
            assignee_id: shown(&row["assignee_id"]),
            status: shown(&row["status"]),
            priority: shown(&row["priority"]),
            due_date: shown(&row["due_date"]),
            estimated_hours: shown(&row["estimated_hours"]),
        }
    }

    /// The fields to write; `created_date` is the caller's to add on insert.
    pub fn values(&self) -> Result<Vec<(&'static str, Value)>, FormErrors> {
        let mut errors = FormErrors::default();
        let title = text(&mut errors, "title", &self.title, true);
        let description = text(&mut errors, "description", &self.description, false);
        let project_id = number(&mut errors, "project_id", &self.project_id, true);
        let assignee_id = number(&mut errors, "assignee_id", &self.assignee_id, false);
        let status = choice(&mut errors, "status", &self.status, TASK_STATUSES);
        let priority = choice(&mut errors, "priority", &self.priority, PRIORITIES);
        let due_date = optional_date(&mut errors, "due_date", &self.due_date);
        let estimated_hours = number(&mut errors, "estimated_hours", &self.estimated_hours, false);
        if matches!(estimated_hours, Value::Int(n) if n < 0) {
            errors.add("estimated_hours", "must not be negative");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(vec![
            ("title", title.into()),
            ("description", description.into()),
            ("project_id", project_id),
            ("assignee_id", assignee_id),
            ("status", status.into()),
            ("priority", priority.into()),
            ("due_date", due_date),
            ("estimated_hours", estimated_hours),
        ])
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct CommentForm {
    pub user_id: String,
    pub content: String,
}

impl CommentForm {
    /// The fields to write; `task_id` and `created_date` are the caller's to add.
    pub fn values(&self) -> Result<Vec<(&'static str, Value)>, FormErrors> {
        let mut errors = FormErrors::default();
        let user_id = number(&mut errors, "user_id", &self.user_id, true);
        let content = text(&mut errors, "content", &self.content, true);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(vec![("user_id", user_id), ("content", content.into())])
    }
}

#[cfg(test)]
mod tests {
    use bazoola::ValidationError;
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(ValidationError::TooLong { table: "users".into(), field: "username".into(), value: "x".into() }, "username", "the value is too long")]
    #[case(ValidationError::LeadingNul { table: "users".into(), field: "username".into(), value: "\0abc".into() }, "username", "the value cannot start with a NUL character (the file format reads that as null)")]
    #[case(ValidationError::DuplicateId { table: "users".into(), id: 3 }, "id", "row with id 3 already exists")]
    fn database_refusals_land_on_their_field(
        #[case] error: ValidationError,
        #[case] field: &str,
        #[case] message: &str,
    ) {
        let errors = FormErrors::from_db(&error.into()).expect("a form error");
        assert_eq!(errors.0.get(field).map(String::as_str), Some(message), "{errors:?}");
    }

    #[rstest]
    #[case(TaskForm { title: " ".into(), ..TaskForm::blank(Some(1)) }, "title", "this field is required")]
    #[case(TaskForm { title: "t".into(), ..TaskForm::blank(None) }, "project_id", "this field is required")]
    #[case(TaskForm { title: "t".into(), estimated_hours: "lots".into(), ..TaskForm::blank(Some(1)) }, "estimated_hours", "must be a whole number")]
    #[case(TaskForm { title: "t".into(), estimated_hours: "-3".into(), ..TaskForm::blank(Some(1)) }, "estimated_hours", "must not be negative")]
    #[case(TaskForm { title: "t".into(), due_date: "2024-02-30".into(), ..TaskForm::blank(Some(1)) }, "due_date", "must be a date written YYYY-MM-DD")]
    #[case(TaskForm { title: "t".into(), priority: "urgent".into(), ..TaskForm::blank(Some(1)) }, "priority", "must be one of low, medium, high")]
    fn task_forms_are_checked(#[case] form: TaskForm, #[case] field: &str, #[case] message: &str) {
        let errors = form.values().unwrap_err();
        assert_eq!(errors.0.get(field).map(String::as_str), Some(message), "{errors:?}");
    }

    #[test]
    fn a_good_task_form_becomes_values_with_nulls_for_empty_inputs() {
        let form = TaskForm { title: " Ship it ".into(), ..TaskForm::blank(Some(2)) };
        let values = form.values().unwrap();
        let get = |name: &str| values.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        assert_eq!(get("title"), Value::from("Ship it"));
        assert_eq!(get("project_id"), Value::Int(2));
        assert_eq!(get("assignee_id"), Value::Null);
        assert_eq!(get("estimated_hours"), Value::Null);
    }
}
