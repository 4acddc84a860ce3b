//! [`Shell`]: an open [`Session`] and the settings the dot-commands change, and how
//! one command — a dot-command line, or SQL text of whole statements — runs.

use std::io::Write;

use super::interrupt::{Interrupt, Watched};
use super::sink::Sink;
use super::timer::Clock;
use crate::error::Result;
use crate::output::{write_outcome, Settings};
use crate::{Outcome, Session};

/// What the input loop does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `.quit`, `.exit [CODE]`: leave with this status.
    Exit(u8),
}

/// How deep `.read` may nest (a file that reads itself stops here).
pub const MAX_READ_DEPTH: usize = 16;

pub struct Shell {
    pub(crate) session: Session,
    pub(crate) settings: Settings,
    pub(crate) sink: Sink,
    /// `.timer on`.
    pub(crate) timer: bool,
    /// `.changes on`: print how many rows an INSERT, UPDATE or DELETE changed.
    pub(crate) changes: bool,
    /// `.echo on`, `--echo`: print each command before it runs.
    pub(crate) echo: bool,
    /// How many `.read` files are open.
    pub(crate) reading: usize,
    pub(crate) interrupt: Interrupt,
}

impl Shell {
    pub fn new(session: Session, settings: Settings) -> Shell {
        Shell {
            session,
            settings,
            sink: Sink::stdout(),
            timer: false,
            changes: false,
            echo: false,
            reading: 0,
            interrupt: Interrupt::new(),
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Prints each command before it runs (`--echo`, `.echo on`).
    pub fn set_echo(&mut self, echo: bool) {
        self.echo = echo;
    }

    /// Makes Ctrl-C stop a running statement (see `shell::interrupt`).
    pub fn hook_ctrl_c(&mut self) -> std::io::Result<()> {
        self.interrupt.hook_ctrl_c()
    }

    /// Runs one command of the input: clears a pending Ctrl-C before, flushes after,
    /// and ends a `.once` (only at the outermost level: the commands of a `.read` file
    /// are part of the `.read`).
    pub fn command<T>(&mut self, run: impl FnOnce(&mut Shell) -> Result<T>) -> Result<T> {
        let outermost = self.reading == 0;
        let once = outermost && self.sink.is_once();
        if outermost {
            self.interrupt.clear();
        }
        let result = run(self);
        let flushed = if once { self.sink.restore() } else { self.sink.flush() };
        let value = result?;
        flushed?;
        Ok(value)
    }

    /// Runs SQL text (whole statements), printing each statement's outcome as soon as
    /// it has run; stops at the first error.
    pub fn run_sql(&mut self, sql: &str) -> Result<()> {
        if self.echo {
            self.write(sql)?;
        }
        let Shell { session, settings, sink, timer, changes, interrupt, .. } = self;
        let mut clock = timer.then(Clock::now);
        session.execute_each(sql, &mut |outcome| {
            if interrupt.is_set() {
                return Err(Interrupt::error());
            }
            let printed = print(
                &mut Watched::new(sink.writer(), interrupt),
                settings,
                &outcome,
                *changes,
                clock.as_mut(),
            );
            match printed {
                Err(_) if interrupt.is_set() => Err(Interrupt::error()),
                Err(e) => Err(sink.error(e)),
                Ok(()) => sink.flush(),
            }
        })
    }

    /// Runs one dot-command line.
    pub fn run_dot(&mut self, line: &str) -> Result<Flow> {
        if self.echo {
            self.write(line)?;
            self.write("\n")?;
        }
        crate::dot::run(self, line)
    }

    /// Writes `text` to the current output (for dot-commands).
    pub(crate) fn write(&mut self, text: &str) -> Result<()> {
        let mut out = Watched::new(self.sink.writer(), &self.interrupt);
        let written = out.write_all(text.as_bytes());
        written.map_err(|e| self.sink.error(e))
    }

    /// Shows an error on standard error, after the output so far.
    pub fn report(&mut self, message: &dyn std::fmt::Display) {
        // An output that cannot be flushed has its own error; this one still shows.
        let _ = self.sink.flush();
        eprintln!("Error: {message}");
    }
}

fn print(
    out: &mut dyn Write,
    settings: &Settings,
    outcome: &Outcome,
    changes: bool,
    clock: Option<&mut Clock>,
) -> std::io::Result<()> {
    write_outcome(out, settings, outcome)?;
    if let (true, Outcome::Changed { rows }) = (changes, outcome) {
        writeln!(out, "changes: {rows}")?;
    }
    if let Some(clock) = clock {
        writeln!(out, "{}", clock.lap())?;
    }
    Ok(())
}
