//! `bazoola-demo`: serves the task manager on http://127.0.0.1:5000 over `./demo-data`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

/// The Bazoola task-manager demo: a web app over a Bazoola database.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Directory of the database (created and filled with sample data on first run).
    #[arg(long, default_value = "./demo-data")]
    data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 5000)]
    port: u16,
    /// Empty the database and put the sample data back before serving.
    #[arg(long)]
    reset: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let db = match bazoola_demo::open(&args.data_dir, args.reset) {
        Ok(db) => Arc::new(db),
        Err(e) => {
            eprintln!("bazoola-demo: cannot open {}: {e}", args.data_dir.display());
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bazoola-demo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
        let address = listener.local_addr()?;
        println!("Bazoola task manager on http://{address}/ (data in {})", args.data_dir.display());
        bazoola_demo::serve(listener, db.clone(), stop_signal()).await
    });
    db.close();
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bazoola-demo: cannot serve on {}:{}: {e}", args.host, args.port);
            ExitCode::FAILURE
        }
    }
}

/// Completes on Ctrl-C or SIGTERM (what `docker stop` sends).
async fn stop_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    println!("bazoola-demo: stopping");
}
