//! The table of dot-commands, and what each one does.

use std::io::{self, IsTerminal};
use std::path::Path;

use super::files;
use super::schema::{indexes_text, schema_text, tables_text};
use super::words::split;
use crate::error::{CliError, Result};
use crate::output::Mode;
use crate::shell::{Flow, Shell};
use crate::transfer;
use crate::transfer::args::{DumpCommand, ExportCommand, ImportCommand};

/// One dot-command: how it is typed, what it does, and the function that does it
/// (given the words after its name).
pub struct Command {
    pub name: &'static str,
    pub usage: &'static str,
    pub help: &'static str,
    pub run: fn(&mut Shell, &[String]) -> Result<Flow>,
}

/// Every dot-command, in the order `.help` lists them.
pub const COMMANDS: &[Command] = &[
    Command {
        name: "changes",
        usage: "on|off",
        help: "Show the number of rows each statement changed",
        run: changes,
    },
    Command {
        name: "check",
        usage: "",
        help: "Check the files' invariants: one line per problem, or \"ok\"",
        run: check,
    },
    Command {
        name: "dump",
        usage: "?OPTIONS? ?TABLE...?",
        help: "Print the database (or TABLEs) as SQL: CREATE statements, then INSERTs",
        run: dump,
    },
    Command { name: "echo", usage: "on|off", help: "Print each command before it runs", run: echo },
    Command { name: "exit", usage: "?CODE?", help: "Leave the shell, with exit status CODE (0)", run: exit },
    Command {
        name: "export",
        usage: "TABLE FILE ?OPTIONS?",
        help: "Write a table to a CSV, JSON or NDJSON file (by its extension)",
        run: export,
    },
    Command {
        name: "headers",
        usage: "on|off",
        help: "Show column names in list and csv output",
        run: headers,
    },
    Command { name: "help", usage: "?COMMAND?", help: "Show this list, or one command's line", run: help },
    Command {
        name: "import",
        usage: "FILE TABLE ?OPTIONS?",
        help: "Load rows from a CSV, JSON or NDJSON file into a table (--create infers it)",
        run: import,
    },
    Command {
        name: "indexes",
        usage: "?TABLE?",
        help: "List the indexes (of tables matching the LIKE pattern TABLE)",
        run: indexes,
    },
    Command {
        name: "mode",
        usage: "?MODE?",
        help: "Set the output mode: box, table, list, csv, json, markdown, line",
        run: mode,
    },
    Command { name: "nullvalue", usage: "TEXT", help: "Print TEXT for a null (not in json)", run: nullvalue },
    Command { name: "once", usage: "FILE", help: "Send the next command's output to FILE", run: once },
    Command {
        name: "output",
        usage: "?FILE?",
        help: "Send output to FILE, or back to standard output",
        run: output,
    },
    Command { name: "quit", usage: "", help: "Leave the shell", run: quit },
    Command { name: "read", usage: "FILE", help: "Run the SQL and dot-commands of FILE", run: read },
    Command {
        name: "schema",
        usage: "?TABLE?",
        help: "Show the CREATE statements (of tables matching the LIKE pattern TABLE)",
        run: schema,
    },
    Command {
        name: "tables",
        usage: "?TABLE?",
        help: "List the tables (matching the LIKE pattern TABLE)",
        run: tables,
    },
    Command { name: "timer", usage: "on|off", help: "Show the time each statement took", run: timer },
];

/// The command typed as `name` (without its dot): its full name or a prefix of only
/// one command's name.
pub fn find(name: &str) -> Result<&'static Command> {
    if let Some(command) = COMMANDS.iter().find(|c| c.name == name) {
        return Ok(command);
    }
    let candidates: Vec<&Command> =
        COMMANDS.iter().filter(|c| !name.is_empty() && c.name.starts_with(name)).collect();
    match candidates.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::Usage(format!("unknown command '.{name}': enter \".help\" for the list"))),
        many => {
            let names: Vec<String> = many.iter().map(|c| format!(".{}", c.name)).collect();
            Err(CliError::Usage(format!("'.{name}' could be {}", names.join(", "))))
        }
    }
}

/// Runs one dot-command line (its leading `.` included).
pub fn run(shell: &mut Shell, line: &str) -> Result<Flow> {
    let words = split(line.trim_start().trim_start_matches('.'));
    let Some((name, args)) = words.split_first() else {
        return Err(CliError::Usage("a dot-command needs a name: enter \".help\" for the list".into()));
    };
    let command = find(name)?;
    (command.run)(shell, args)
}

fn usage(command: &str) -> CliError {
    let usage = COMMANDS.iter().find(|c| c.name == command).map_or("", |c| c.usage);
    CliError::Usage(format!("usage: .{command} {usage}").trim_end().to_string())
}

/// The only argument, or a usage error.
fn one<'a>(command: &str, args: &'a [String]) -> Result<&'a str> {
    match args {
        [arg] => Ok(arg),
        _ => Err(usage(command)),
    }
}

/// The optional argument, or a usage error for more.
fn optional<'a>(command: &str, args: &'a [String]) -> Result<Option<&'a str>> {
    match args {
        [] => Ok(None),
        [arg] => Ok(Some(arg)),
        _ => Err(usage(command)),
    }
}

fn none(command: &str, args: &[String]) -> Result<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(usage(command))
    }
}

/// `on`/`off`, and the other spellings `sqlite3` takes for them.
fn switch(command: &str, args: &[String]) -> Result<bool> {
    let word = one(command, args)?;
    match word.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        _ => Err(CliError::Usage(format!("expected on or off, not '{word}'"))),
    }
}

fn help(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let commands: Vec<&Command> = match optional("help", args)? {
        Some(name) => vec![find(name.trim_start_matches('.'))?],
        None => COMMANDS.iter().collect(),
    };
    let lines: Vec<(String, &str)> = commands
        .iter()
        .map(|c| (format!(".{} {}", c.name, c.usage).trim_end().to_string(), c.help))
        .collect();
    let width = lines.iter().map(|(usage, _)| usage.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (usage, help) in lines {
        text.push_str(&format!("{usage:width$}  {help}\n"));
    }
    shell.write(&text)?;
    Ok(Flow::Continue)
}

fn tables(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let pattern = optional("tables", args)?;
    let text = tables_text(&shell.session.database().tables()?, pattern);
    shell.write(&text)?;
    Ok(Flow::Continue)
}

fn schema(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let pattern = optional("schema", args)?;
    let text = schema_text(&shell.session.database().tables()?, pattern);
    no_match(shell, pattern, &text)?;
    shell.write(&text)?;
    Ok(Flow::Continue)
}

fn indexes(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let pattern = optional("indexes", args)?;
    let text = indexes_text(&shell.session.database().tables()?, pattern);
    no_match(shell, pattern, &text)?;
    shell.write(&text)?;
    Ok(Flow::Continue)
}

/// A name that matches no table is the engine's "no such table" (with its message), a
/// pattern with `%` that matches none is just an empty answer.
fn no_match(shell: &Shell, pattern: Option<&str>, text: &str) -> Result<()> {
    match pattern {
        Some(name) if text.is_empty() && !name.contains('%') => {
            shell.session.database().schema(name)?;
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    none("check", args)?;
    let problems = shell.session.database().check()?;
    if problems.is_empty() {
        shell.write("ok\n")?;
        return Ok(Flow::Continue);
    }
    let text: String = problems.iter().map(|p| format!("{p}\n")).collect();
    shell.write(&text)?;
    let n = problems.len();
    Err(CliError::Usage(format!("check found {n} problem{}", if n == 1 { "" } else { "s" })))
}

fn mode(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    match optional("mode", args)? {
        None => {
            let text = format!("current output mode: {}\n", shell.settings.mode);
            shell.write(&text)?;
        }
        Some(name) => {
            shell.settings.mode = Mode::parse(name).ok_or_else(|| {
                CliError::Usage(format!("unknown mode '{name}': the modes are {}", Mode::names()))
            })?;
        }
    }
    Ok(Flow::Continue)
}

fn headers(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    shell.settings.headers = Some(switch("headers", args)?);
    Ok(Flow::Continue)
}

fn nullvalue(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    shell.settings.nullvalue = one("nullvalue", args)?.to_string();
    Ok(Flow::Continue)
}

fn timer(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    shell.timer = switch("timer", args)?;
    Ok(Flow::Continue)
}

fn echo(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    shell.echo = switch("echo", args)?;
    Ok(Flow::Continue)
}

fn changes(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    shell.changes = switch("changes", args)?;
    Ok(Flow::Continue)
}

fn read(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    files::read(shell, Path::new(one("read", args)?))
}

fn output(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    files::output(shell, optional("output", args)?, false)
}

fn once(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    files::output(shell, Some(one("once", args)?), true)
}

fn quit(_: &mut Shell, args: &[String]) -> Result<Flow> {
    none("quit", args)?;
    Ok(Flow::Exit(0))
}

fn exit(_: &mut Shell, args: &[String]) -> Result<Flow> {
    match optional("exit", args)? {
        None => Ok(Flow::Exit(0)),
        Some(code) => code.parse().map(Flow::Exit).map_err(|_| {
            CliError::Usage(format!("exit status must be a number from 0 to 255, not '{code}'"))
        }),
    }
}

fn import(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let command = ImportCommand::parse(args)?;
    let report = transfer::import(shell.session.database(), &command.path, &command.table, &command.options)?;
    // As `sqlite3`, a script's import says nothing when all went well; a person at a
    // terminal, or anyone whose rows were skipped, is told what happened.
    if report.skipped > 0 || io::stderr().is_terminal() {
        eprintln!("{report}");
    }
    Ok(Flow::Continue)
}

fn export(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let command = ExportCommand::parse(args)?;
    let rows = transfer::export(shell.session.database(), &command.table, &command.path, command.format)?;
    if io::stderr().is_terminal() {
        eprintln!("exported {rows} row{} to {}", if rows == 1 { "" } else { "s" }, command.path.display());
    }
    Ok(Flow::Continue)
}

fn dump(shell: &mut Shell, args: &[String]) -> Result<Flow> {
    let command = DumpCommand::parse(args)?;
    let Shell { session, sink, .. } = shell;
    transfer::dump(session.database(), &command.options, sink.writer())?;
    Ok(Flow::Continue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_found_by_name_or_unique_prefix() {
        assert_eq!(find("schema").unwrap().name, "schema");
        assert_eq!(find("sch").unwrap().name, "schema");
        assert_eq!(find("exit").unwrap().name, "exit");
        let ambiguous = find("ex").err().unwrap().to_string();
        assert_eq!(ambiguous, "'.ex' could be .exit, .export");
        assert_eq!(find("ec").unwrap().name, "echo");
        let unknown = find("frobnicate").err().unwrap().to_string();
        assert!(unknown.contains("unknown command '.frobnicate'"), "{unknown}");
    }

    #[test]
    fn the_table_is_sorted_and_unique() {
        let names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
