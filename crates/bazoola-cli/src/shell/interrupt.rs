//! Ctrl-C while a statement runs (interactive only; at the prompt the line editor reads
//! Ctrl-C as a key and cancels the statement being typed).
//!
//! The engine has no way to stop a statement halfway, so Ctrl-C stops at the next
//! point the shell controls: before the next statement's result is printed, or between
//! two writes of a result being printed — the rest is dropped and `Error: interrupted`
//! shows. A statement that is still computing finishes first; a second Ctrl-C before
//! the first was seen leaves the shell at once (status 130), which is safe: the
//! journal rolls back a half-done write when the directory is next opened.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::CliError;

#[derive(Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// A flag nothing sets until [`Interrupt::hook_ctrl_c`].
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Makes Ctrl-C (SIGINT) set the flag, and a second one while it is set exit.
    pub fn hook_ctrl_c(&self) -> io::Result<()> {
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGINT;
            // In this order: the exit sees the flag as the previous Ctrl-C left it.
            signal_hook::flag::register_conditional_shutdown(SIGINT, 130, Arc::clone(&self.0))?;
            signal_hook::flag::register(SIGINT, Arc::clone(&self.0))?;
        }
        Ok(())
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }

    #[cfg(test)]
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// The error a stopped statement reports.
    pub fn error() -> CliError {
        CliError::Usage("interrupted".into())
    }
}

/// A writer that fails as soon as Ctrl-C was pressed.
pub struct Watched<'a> {
    inner: &'a mut dyn Write,
    interrupt: &'a Interrupt,
}

impl<'a> Watched<'a> {
    pub fn new(inner: &'a mut dyn Write, interrupt: &'a Interrupt) -> Watched<'a> {
        Watched { inner, interrupt }
    }

    fn check(&self) -> io::Result<()> {
        if self.interrupt.is_set() {
            // Not `ErrorKind::Interrupted`: `write_all` would retry that.
            return Err(io::Error::other("interrupted"));
        }
        Ok(())
    }
}

impl Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_fail_once_interrupted() {
        let interrupt = Interrupt::new();
        let mut out = Vec::new();
        let mut watched = Watched::new(&mut out, &interrupt);
        watched.write_all(b"a").unwrap();
        interrupt.set();
        assert!(watched.write_all(b"b").is_err());
        interrupt.clear();
        watched.write_all(b"c").unwrap();
        assert_eq!(out, b"ac");
    }
}
