//! From the command line to an exit status: open the directory, then run the
//! arguments, the terminal, or the script on standard input.

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use super::args::Args;
use super::context::{Flow, Shell};
use super::interactive::{history_file, run_interactive};
use super::script::{run_script, Failure, Source};
use super::sink::is_broken_pipe;
use crate::output::{Mode, Settings};
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
