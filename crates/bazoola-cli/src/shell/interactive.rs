//! The interactive shell: a line editor (rustyline) with history, `bazoola> ` at the
//! start of a statement and `   ...> ` while one is being continued. Ctrl-C drops the
//! statement being typed (and stops a running one, see [`super::interrupt`]), Ctrl-D
//! on an empty line leaves. An error is shown and the shell goes on.
//!
//! History is one entry per line typed, as in `sqlite3`, kept in `$BAZOOLA_HISTORY`,
//! or `~/.bazoola_history` when that is unset (set it empty for no history file).

use std::path::{Path, PathBuf};

use rustyline::config::Config;
use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use super::context::{Flow, Shell};
use super::input::{is_dot_command, Pending};
use super::script::check_length;

pub const PROMPT: &str = "bazoola> ";
pub const CONTINUE_PROMPT: &str = "   ...> ";
const HISTORY_LINES: usize = 2000;

/// The history file: `$BAZOOLA_HISTORY`, else `~/.bazoola_history`; none when the
/// variable is set empty or there is no home.
pub fn history_file() -> Option<PathBuf> {
    match std::env::var_os("BAZOOLA_HISTORY") {
        Some(path) if path.is_empty() => None,
        Some(path) => Some(PathBuf::from(path)),
        None => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|home| Path::new(&home).join(".bazoola_history")),
    }
}

/// Reads and runs commands until Ctrl-D or `.quit`; the exit status.
pub fn run_interactive(shell: &mut Shell, dir: &Path, history: Option<&Path>) -> u8 {
    let mut editor = match editor() {
        Ok(editor) => editor,
        Err(e) => {
            shell.report(&format_args!("cannot start the line editor: {e}"));
            return 1;
        }
    };
    if let Some(path) = history {
        // A first session has no history file yet.
        let _ = editor.load_history(path);
    }
    if let Err(e) = shell.hook_ctrl_c() {
        shell.report(&format_args!("Ctrl-C will not stop statements: {e}"));
    }
    println!("bazoola {} on {}", env!("CARGO_PKG_VERSION"), dir.display());
    println!("Enter \".help\" for usage hints.");
    let status = read_loop(shell, &mut editor);
    if let Some(path) = history {
        if let Err(e) = editor.save_history(path) {
            shell.report(&format_args!("{}: history not saved: {e}", path.display()));
        }
    }
    status
}

fn editor() -> rustyline::Result<DefaultEditor> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_dups(true)?
        .max_history_size(HISTORY_LINES)?
        .build();
    DefaultEditor::with_config(config)
}

fn read_loop(shell: &mut Shell, editor: &mut DefaultEditor) -> u8 {
    let mut pending = Pending::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { CONTINUE_PROMPT };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => {
                println!();
                return 0;
            }
            Err(e) => {
                shell.report(&format_args!("cannot read the terminal: {e}"));
                return 1;
            }
        };
        if !line.trim().is_empty() {
            // A line the history cannot take is still run.
            let _ = editor.add_history_entry(line.as_str());
        }
        if pending.is_empty() && is_dot_command(&line) {
            match shell.command(|s| s.run_dot(&line)) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Exit(status)) => return status,
                Err(e) => shell.report(&e),
            }
            continue;
        }
        pending.push(&line, 1);
        if let Err(e) = check_length(&pending) {
            pending.clear();
            shell.report(&e);
        } else if pending.is_blank() {
            pending.clear();
        } else if pending.is_complete() {
            let sql = pending.take();
            if let Err(e) = shell.command(|s| s.run_sql(&sql)) {
                shell.report(&e);
            }
        }
    }
}
