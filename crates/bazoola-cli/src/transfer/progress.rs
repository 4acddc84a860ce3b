//! A progress bar for imports (bytes of the file read), dumps and migrations (rows
//! written), drawn on standard error when — and only when — it is a terminal, the
//! caller asked for progress, and the work is large enough to take a while (as the
//! engine's own bars for `check` and `vacuum`). Anywhere else nothing is printed.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Below this many rows a dump or migration is quick: no bar.
pub const WORTH_SHOWING_ROWS: u64 = 200_000;
/// Below this many bytes an import is quick: no bar.
pub const WORTH_SHOWING_BYTES: u64 = 8 << 20;

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn hidden() -> Progress {
        Progress { bar: None }
    }

    /// A bar labelled `label` for `total` units, shown if `enabled`, `total` is at
    /// least `worth` and standard error is a terminal.
    pub fn start(enabled: bool, label: &str, total: u64, worth: u64) -> Progress {
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

    pub fn set_label(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    pub fn advance(&self, units: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(units);
        }
    }

    /// Starts counting again from zero (the second pass of an import).
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
