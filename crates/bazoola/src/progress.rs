//! Progress of long operations (`check`, `vacuum`, index builds, table rewrites, and the
//! shell's imports, dumps and migrations), drawn as a bar on standard error when — and
//! only when — it is a terminal, progress is on (the default), and the work is large
//! enough to take a while. Anywhere else (a pipe, a log, a test) nothing is printed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this many units (rows, or KiB of a file) an operation is quick: no bar.
pub const WORTH_SHOWING: u64 = 200_000;

/// A progress report for one operation; it draws nothing when hidden.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Reports nothing.
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A bar labelled `label` for `total` units of work, shown if `enabled`, the work is
    /// large and standard error is a terminal.
    pub fn start(enabled: bool, label: &str, total: u64) -> Progress {
        Progress::start_at(enabled, label, total, WORTH_SHOWING)
    }

    /// As [`start`](Self::start), with the least `total` worth a bar given in `worth`
    /// (units other than rows: bytes of a file, say).
    pub fn start_at(enabled: bool, label: &str, total: u64, worth: u64) -> Progress {
        let target = ProgressDrawTarget::stderr();
        if !enabled || total < worth || target.is_hidden() {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(total), target);
        let style = ProgressStyle::with_template("{msg} [{bar:40}] {percent}% ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style.progress_chars("=> "));
        bar.set_message(label.to_string());
        Progress { bar: Some(bar) }
    }

    /// Counts `units` more of the work done.
    pub fn advance(&self, units: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(units);
        }
    }

    /// Changes what the bar says it is doing.
    pub fn set_label(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    /// Starts counting again from zero under a new label (a second pass over the work).
    pub fn restart(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_message(label.to_string());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
