//! A bounded load test on loopback: 20 clients for 10 seconds (or
//! `BAZOOLA_DEMO_LOAD_SECONDS`), each mixing page reads with creating, commenting on,
//! editing and deleting its own tasks, and now and then a whole project deleted with
//! its tasks and comments. Every response must be the expected one, and afterwards
//! `check()` must find the files healthy. The request rate is printed and written to
//! `test-artifacts/load-test.txt`; nothing is asserted about it.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{read, Resp, TestApp};

const CLIENTS: usize = 20;

struct Client<'a> {
    app: &'a TestApp,
    agent: ureq::Agent,
    n: usize,
    requests: &'a AtomicU64,
    errors: &'a Mutex<Vec<String>>,
}

impl Client<'_> {
    fn call(&self, method: &str, path: &str, form: &[(&str, &str)], expected: u16) -> Option<Resp> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}{path}", self.app.base);
        let outcome = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self.agent.post(&url).send_form(form.iter().copied()),
        };
        let failure = match outcome {
            Ok(response) => {
                let resp = read(response);
                if resp.status == expected {
                    return Some(resp);
                }
                format!(
                    "{method} {path}: {} instead of {expected}: {}",
                    resp.status,
                    resp.text.chars().take(300).collect::<String>()
                )
            }
            Err(e) => format!("{method} {path}: {e}"),
        };
        self.errors.lock().unwrap().push(failure);
        None
    }

    fn new_task(&self, project: &str, i: usize) -> Option<i64> {
        let title = format!("load {}-{i}", self.n);
        let form = [
            ("title", title.as_str()),
            ("description", "made by the load test"),
            ("project_id", project),
            ("assignee_id", "3"),
            ("status", "todo"),
            ("priority", "low"),
            ("due_date", ""),
            ("estimated_hours", "2"),
        ];
        Some(self.call("POST", "/tasks/new", &form, 303)?.redirect_id())
    }

    fn run(&self, deadline: Instant) {
        let mut own: Vec<i64> = Vec::new();
        let mut i = 0;
        while Instant::now() < deadline {
            i += 1;
            match i % 12 {
                0 => drop(self.call("GET", "/", &[], 200)),
                1 => drop(self.call("GET", "/projects", &[], 200)),
                2 => drop(self.call("GET", "/tasks", &[], 200)),
                3 => drop(self.call("GET", &format!("/tasks/{}", 5 + i % 3), &[], 200)),
                4 => drop(self.call("GET", "/search?q=LOAD", &[], 200)),
                5 => own.extend(self.new_task("2", i)),
                6 | 7 => {
                    if let Some(task) = own.last() {
                        let path = format!("/tasks/{task}/comment");
                        drop(self.call("POST", &path, &[("user_id", "4"), ("content", "still going")], 303));
                    }
                }
                8 => {
                    if let Some(task) = own.last() {
                        drop(self.call("GET", &format!("/tasks/{task}"), &[], 200));
                    }
                }
                9 => drop(self.call(
                    "POST",
                    "/users/new",
                    &[("username", "far-too-long-for-twenty"), ("email", "a@b"), ("role", "user")],
                    422,
                )),
                10 => {
                    if own.len() > 2 {
                        let task = own.remove(0);
                        drop(self.call("POST", &format!("/tasks/{task}/delete"), &[], 303));
                    }
                }
                _ if i % 48 == 11 => self.project_cycle(i),
                _ => drop(self.call("GET", "/projects/2", &[], 200)),
            }
        }
    }

    /// A project with a commented task, then deleted with both.
    fn project_cycle(&self, i: usize) {
        let name = format!("load project {}-{i}", self.n);
        let form = [
            ("name", name.as_str()),
            ("description", "temporary"),
            ("owner_id", "2"),
            ("status", "active"),
            ("due_date", ""),
        ];
        let Some(project) = self.call("POST", "/projects/new", &form, 303).map(|r| r.redirect_id()) else {
            return;
        };
        let project = project.to_string();
        if let Some(task) = self.new_task(&project, i) {
            drop(self.call(
                "POST",
                &format!("/tasks/{task}/comment"),
                &[("user_id", "2"), ("content", "bye")],
                303,
            ));
        }
        drop(self.call("POST", &format!("/projects/{project}/delete"), &[], 303));
    }
}

#[test]
fn twenty_clients_reading_and_writing_get_no_errors_and_leave_healthy_files() {
    let seconds: u64 =
        std::env::var("BAZOOLA_DEMO_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let app = TestApp::start();
    let requests = AtomicU64::new(0);
    let errors = Mutex::new(Vec::new());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    std::thread::scope(|scope| {
        for n in 0..CLIENTS {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .max_redirects(0)
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(120)))
                .build()
                .into();
            let client = Client { app: &app, agent, n, requests: &requests, errors: &errors };
            scope.spawn(move || client.run(deadline));
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    let total = requests.load(Ordering::Relaxed);
    let rate = total as f64 / elapsed;
    let report = format!(
        "demo load test: {CLIENTS} clients, {elapsed:.1} s, {total} requests, {rate:.0} requests/s, {} errors\n",
        errors.lock().unwrap().len()
    );
    println!("{report}");
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-artifacts");
    if std::fs::create_dir_all(&artifacts).is_ok() {
        let _ = std::fs::write(artifacts.join("load-test.txt"), &report);
    }

    let errors = errors.into_inner().unwrap();
    assert!(
        errors.is_empty(),
        "{} failed requests, the first: {:#?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    assert!(total > 0);
    let problems = app.db.check().unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(app.db.count("projects", None).unwrap(), 4, "every load project was deleted");
}
