//! `.timer on`: `Run Time: real 0.012 user 0.010000 sys 0.001000` after each statement,
//! as `sqlite3` prints it (real time in seconds; user and system CPU time of the
//! process where the platform tells them).

use std::time::{Duration, Instant};

/// A point in time, wall clock and CPU.
pub struct Clock {
    real: Instant,
    cpu: Option<(Duration, Duration)>,
}

impl Clock {
    pub fn now() -> Clock {
        Clock { real: Instant::now(), cpu: cpu_times() }
    }

    /// The time from `self` to now, as `sqlite3` prints it; `self` moves to now.
    pub fn lap(&mut self) -> String {
        let now = Clock::now();
        let real = now.real.duration_since(self.real).as_secs_f64();
        let line = match (self.cpu, now.cpu) {
            (Some((user0, sys0)), Some((user1, sys1))) => format!(
                "Run Time: real {real:.3} user {:.6} sys {:.6}",
                user1.saturating_sub(user0).as_secs_f64(),
                sys1.saturating_sub(sys0).as_secs_f64()
            ),
            _ => format!("Run Time: real {real:.3}"),
        };
        *self = now;
        line
    }
}

/// User and system CPU time of this process so far.
#[cfg(unix)]
fn cpu_times() -> Option<(Duration, Duration)> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` writes a `rusage` into the pointer it is given, which points
    // at one; on failure it writes nothing and the zeroed value is not read.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    if !ok {
        return None;
    }
    // SAFETY: initialised by `zeroed` and written by `getrusage`.
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Some((time(usage.ru_utime), time(usage.ru_stime)))
}

#[cfg(not(unix))]
fn cpu_times() -> Option<(Duration, Duration)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lap_reads_like_sqlite3() {
        let mut clock = Clock::now();
        let line = clock.lap();
        assert!(line.starts_with("Run Time: real 0."), "{line}");
        assert_eq!(line.split(' ').count(), if cfg!(unix) { 8 } else { 4 }, "{line}");
    }
}
