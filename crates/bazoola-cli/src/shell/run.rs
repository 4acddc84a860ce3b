//! From the command line to an exit status: open the directory, then run the
//! arguments, the terminal, or the script on standard input.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use super::args::Args;
use super::context::{Flow, Shell};
use super::interactive::{history_file, run_interactive};
use super::script::{run_script, Failure, Source};
use super::sink::is_broken_pipe;
use crate::error::CliError;
use crate::output::{Mode, Settings};
use crate::transfer::args::MigrateCommand;
use crate::Session;

/// Runs the shell as the command line asks; the process's exit status.
pub fn run(args: Args) -> ExitCode {
    let interactive = args.commands.is_empty() && io::stdin().is_terminal();
    let mode = args.mode().unwrap_or(if io::stdout().is_terminal() { Mode::Box } else { Mode::List });
    let mut settings = Settings::new(mode);
    settings.headers = args.headers();
    if let Some(null) = &args.nullvalue {
        settings.nullvalue.clone_from(null);
    }
    let session = match Session::open(&args.dir) {
        Ok(session) => session,
        Err(e) => {
            eprintln!("Error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut shell = Shell::new(session, settings);
    shell.set_echo(args.echo);
    let status = if interactive {
        run_interactive(&mut shell, &args.dir, history_file().as_deref())
    } else if args.commands.is_empty() {
        let result = run_script(&mut shell, &mut io::stdin().lock(), &Source::Stdin);
        finish(&mut shell, result)
    } else {
        run_arguments(&mut shell, &args.commands)
    };
    ExitCode::from(status)
}

fn run_arguments(shell: &mut Shell, commands: &[String]) -> u8 {
    for command in commands {
        match run_script(shell, &mut command.as_bytes(), &Source::Argument) {
            Ok(Flow::Continue) => {}
            other => return finish(shell, other),
        }
    }
    0
}

/// The exit status of a script, its error shown.
fn finish(shell: &mut Shell, result: Result<Flow, Failure>) -> u8 {
    match result {
        Ok(Flow::Continue) => 0,
        Ok(Flow::Exit(status)) => status,
        Err(failure) if is_broken_pipe(&failure.error) => 0,
        Err(failure) => {
            shell.report(&failure);
            1
        }
    }
}

/// `bazoola migrate DIR URL [--replace]`: copies the database at `DIR` (which must
/// exist) into PostgreSQL; the words after `migrate`.
pub fn run_migrate(words: &[String]) -> ExitCode {
    let result = MigrateCommand::parse(words).map_err(CliError::from).and_then(|command| {
        // Opening would make a missing directory; a migration's source must be there.
        if !command.dir.is_dir() {
            let source = io::Error::new(io::ErrorKind::NotFound, "no such database directory");
            return Err(CliError::Io { path: command.dir, source });
        }
        let db = bazoola::Database::open_existing(&command.dir)?;
        if db.tables()?.is_empty() {
            let dir = command.dir.display();
            return Err(CliError::Usage(format!("{dir} has no tables: there is nothing to migrate")));
        }
        Ok(crate::transfer::migrate(&db, &command.url, &command.options)?)
    });
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}
