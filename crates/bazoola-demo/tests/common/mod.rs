//! A real server for the tests: the application on 127.0.0.1 with an OS-chosen port,
//! over a database in a fresh temporary directory, driven by a real HTTP client.
//!
//! The listener is bound before `start` returns, so a request made right after is
//! accepted (no waiting for the server to come up); dropping the [`TestApp`] stops the
//! server and waits for it.

#![allow(dead_code)]

use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use bazoola::{Database, Row};
use tempfile::TempDir;

pub struct TestApp {
    pub base: String,
    pub db: Arc<Database>,
    agent: ureq::Agent,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    _dir: TempDir,
}

/// A response, its body as received and with HTML entities decoded for matching.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub html: String,
    pub text: String,
}

impl TestApp {
    /// The application over a new directory filled with the sample data.
    pub fn start() -> TestApp {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = Arc::new(bazoola_demo::open(dir.path(), false).expect("open the demo database"));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let server = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("tokio runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let shutdown = async move {
                    let _ = stopped.await;
                };
                bazoola_demo::serve(listener, served, shutdown).await.expect("serve");
            });
        });
        TestApp { base, db, agent: agent(), stop: Some(stop), server: Some(server), _dir: dir }
    }

    pub fn get(&self, path: &str) -> Resp {
        self.get_with_cookie(path, None)
    }

    pub fn get_with_cookie(&self, path: &str, cookie: Option<&str>) -> Resp {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        read(request.call().unwrap_or_else(|e| panic!("GET {path}: {e}")))
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let url = format!("{}{path}", self.base);
        let response = self.agent.post(url).send_form(form.iter().copied());
        read(response.unwrap_or_else(|e| panic!("POST {path}: {e}")))
    }

    /// Every row of every table, to show that a refused request wrote nothing.
    pub fn snapshot(&self) -> Vec<Vec<Row>> {
        ["users", "projects", "tasks", "comments"].iter().map(|t| self.db.find_all(t, &[]).unwrap()).collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
    }
}

/// An HTTP client that shows redirects and error statuses as they are. The timeout
/// turns a server that stopped answering into a failure instead of a hung test.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(120)))
        .build()
        .into()
}

pub fn read(mut response: ureq::http::Response<ureq::Body>) -> Resp {
    let status = response.status().as_u16();
    let header = |name: &str| -> Vec<String> {
        response.headers().get_all(name).iter().filter_map(|v| v.to_str().ok()).map(String::from).collect()
    };
    let location = header("location").into_iter().next();
    let set_cookie = header("set-cookie");
    let html = response.body_mut().read_to_string().expect("a text body");
    let text = unescape(&html);
    Resp { status, location, set_cookie, html, text }
}

pub fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Resp {
    /// The `name=value` pair of the flash cookie this response sets.
    pub fn flash_cookie(&self) -> Option<String> {
        self.set_cookie
            .iter()
            .filter_map(|c| c.split(';').next())
            .find(|pair| pair.starts_with("bazoola_flash=") && pair.len() > "bazoola_flash=".len())
            .map(String::from)
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.text.contains(needle),
            "expected {needle:?} in the page (status {}):\n{}",
            self.status,
            self.text
        );
    }

    /// The id at the end of a redirect's address (`/tasks/12` → 12).
    #[track_caller]
    pub fn redirect_id(&self) -> i64 {
        let location = self.location.as_deref().expect("a redirect");
        location.rsplit('/').next().and_then(|id| id.parse().ok()).expect("an id at the end")
    }
}
