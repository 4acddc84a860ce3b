//! Database calls run on tokio's blocking pool: while they wait for a lock, the async
//! workers go on answering requests that need no database.

mod common;

use bazoola::Database;
use common::{agent, read, TestApp};

/// An open transaction on this thread, rolled back if the test fails while holding it
/// (so the server can stop).
struct Held<'a>(Option<&'a Database>);

impl Held<'_> {
    fn commit(mut self) {
        self.0.take().unwrap().commit().unwrap();
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            let _ = db.rollback();
        }
    }
}

#[test]
fn pages_answer_while_database_calls_wait_for_a_lock() {
    let app = TestApp::start();
    // This thread's open transaction holds the write lock: every database call of the
    // server waits for it — more of them than the server has async workers (2).
    app.db.begin().unwrap();
    let held = Held(Some(&app.db));
    let waiting: Vec<_> = (0..8)
        .map(|i| {
            let url = format!("{}{}", app.base, if i % 2 == 0 { "/projects" } else { "/tasks/1" });
            std::thread::spawn(move || read(agent().get(&url).call().expect("an answer")).status)
        })
        .collect();
    for _ in 0..20 {
        assert_eq!(app.get("/search").status, 200);
        assert_eq!(app.get("/static/style.css").status, 200);
        assert_eq!(app.get("/nowhere").status, 404);
    }
    assert!(waiting.iter().all(|w| !w.is_finished()), "the database calls wait for the transaction");
    held.commit();
    for w in waiting {
        assert_eq!(w.join().unwrap(), 200);
    }
}
