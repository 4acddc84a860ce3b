//! `bazoola`: the shell over a database directory (see `bazoola --help`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    bazoola_cli::shell::run(bazoola_cli::shell::Args::parse())
}
