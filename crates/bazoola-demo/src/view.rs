//! Rendering: the templates (compiled into the binary), rows turned into template
//! values, and the replies a page handler can give.

use axum::http::StatusCode;
use bazoola::{Row, Value};
use minijinja::{Environment, Value as Tv};

use crate::flash::Flash;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("user_form.html", include_str!("../templates/user_form.html")),
    ("projects.html", include_str!("../templates/projects.html")),
    ("project.html", include_str!("../templates/project.html")),
    ("project_form.html", include_str!("../templates/project_form.html")),
    ("tasks.html", include_str!("../templates/tasks.html")),
    ("task.html", include_str!("../templates/task.html")),
    ("task_form.html", include_str!("../templates/task_form.html")),
    ("confirm_delete.html", include_str!("../templates/confirm_delete.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("not_found.html", include_str!("../templates/not_found.html")),
    ("error.html", include_str!("../templates/error.html")),
];

pub const STYLE: &str = include_str!("../templates/style.css");

/// The template environment, with the demo's filters.
pub fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name} does not compile: {e:#}"));
    }
    env.add_filter("excerpt", excerpt);
    env.add_filter("duration", duration);
    env
}

/// The first `limit` characters of `text`, with an ellipsis if it was longer.
fn excerpt(text: String, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text,
    }
}

/// Microseconds as a person reads them.
fn duration(micros: u64) -> String {
    if micros < 1000 {
        format!("{micros} µs")
    } else {
        format!("{:.2} ms", micros as f64 / 1000.0)
    }
}

/// A row as a template value: a map by field name, joins nested.
pub fn row(row: &Row) -> Tv {
    row.iter().map(|(name, value)| (name.to_string(), field(value))).collect()
}

pub fn rows(rows: &[Row]) -> Tv {
    rows.iter().map(row).collect()
}

fn field(value: &Value) -> Tv {
    match value {
        Value::Null => Tv::from(()),
        Value::Int(n) => Tv::from(*n),
        Value::Float(x) => Tv::from(*x),
        Value::Text(s) => Tv::from(s.as_str()),
        Value::Row(r) => row(r),
        Value::Rows(rs) => rows(rs),
    }
}

/// A rendered page: the template, its title and values, and the status to send.
pub struct Page {
    pub status: StatusCode,
    pub template: &'static str,
    pub title: String,
    pub ctx: Tv,
    /// A message to show on this page itself (rather than after a redirect).
    pub flash: Option<Flash>,
}

impl Page {
    pub fn new(template: &'static str, title: impl Into<String>, ctx: Tv) -> Page {
        Page { status: StatusCode::OK, template, title: title.into(), ctx, flash: None }
    }

    pub fn status(mut self, status: StatusCode) -> Page {
        self.status = status;
        self
    }

    pub fn flash(mut self, flash: Flash) -> Page {
        self.flash = Some(flash);
        self
    }
}

/// What a page handler answers.
pub enum Reply {
    Page(Page),
    /// 303 See Other, carrying a message to the next page.
    Redirect {
        to: String,
        flash: Flash,
    },
    /// The 404 page, naming what was not there ("project 12").
    NotFound(String),
}

impl Reply {
    pub fn redirect(to: impl Into<String>, flash: Flash) -> Reply {
        Reply::Redirect { to: to.into(), flash }
    }

    pub fn not_found(what: impl Into<String>) -> Reply {
        Reply::NotFound(what.into())
    }
}

impl From<Page> for Reply {
    fn from(page: Page) -> Reply {
        Reply::Page(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let env = templates();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn excerpts_cut_on_characters() {
        assert_eq!(excerpt("héllo wörld".into(), 5), "héllo…");
        assert_eq!(excerpt("short".into(), 5), "short");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(85), "85 µs");
        assert_eq!(duration(1234), "1.23 ms");
    }
}
