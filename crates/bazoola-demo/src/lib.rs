//! The Bazoola task manager: a small server-rendered web application over a Bazoola
//! database, showing what the engine does — joins, conditions, foreign keys with their
//! delete rules, transactions — and, at the end of every page, which calls built it and
//! what they cost.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let db = std::sync::Arc::new(bazoola_demo::open("demo-data".as_ref(), false).expect("open"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:5000").await?;
//! bazoola_demo::serve(listener, db, std::future::pending()).await
//! # }
//! ```
//!
//! The layers, bottom up: [`schema`] and `sample` (the tables and their first rows),
//! `trace` (the recording database handle), `forms` (input checking), `view` and
//! `flash` (rendering), `app` (how a request runs), `routes` (the pages).

mod app;
mod date;
mod flash;
mod forms;
mod routes;
mod sample;
pub mod schema;
mod trace;
mod view;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use bazoola::Database;

pub use app::App;

/// Opens the demo database in `dir`, creating it and filling it with sample data on
/// first use; `reset` empties it and puts the sample data back.
pub fn open(dir: &Path, reset: bool) -> bazoola::Result<Database> {
    let fresh = !dir.join("users.dat").exists();
    let db = Database::open(dir, schema::tables())?;
    if reset {
        sample::reset(&db)?;
    } else if fresh {
        sample::fill(&db)?;
    }
    Ok(db)
}

/// The web application over `db`.
pub fn router(db: Arc<Database>) -> Router {
    routes::router(App::new(db))
}

/// Serves the application on `listener` until `shutdown` completes, then lets the
/// requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: Arc<Database>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(db)).with_graceful_shutdown(shutdown).await
}
