//! `bazoola`: the shell over a database directory (see `bazoola --help`), and
//! `bazoola migrate DIR URL` to copy a database into PostgreSQL.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    // `migrate` is the one subcommand; a directory of that name is `./migrate`.
    if argv.get(1).map(String::as_str) == Some("migrate") {
        return bazoola_cli::shell::run_migrate(&argv[2..]);
    }
    bazoola_cli::shell::run(bazoola_cli::shell::Args::parse())
}
