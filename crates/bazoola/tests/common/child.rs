//! Running a test's body in a child process, for cases whose failure mode is a crash
//! (stack overflow, abort) or a hang: the parent reports it as a failed assertion
//! instead of dying with it or waiting forever.

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a child may take before it counts as hung.
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// Runs `body` in a fresh process of this test binary (the test named `name`, which must
/// be the test calling this), and asserts it exits successfully within [`HANG_LIMIT`].
pub fn in_child(name: &str, body: impl FnOnce()) {
    if std::env::var("BAZOOLA_CHILD_TEST").as_deref() == Ok(name) {
        body();
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let child = Command::new(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1", "-q"])
        .env("BAZOOLA_CHILD_TEST", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child test");
    let pid = child.id();
    let (done, finished) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let output = child.wait_with_output();
        let _ = done.send(());
        output
    });
    if finished.recv_timeout(HANG_LIMIT).is_err() {
        // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        let _ = waiter.join();
        panic!("{name}: the child process hung for {HANG_LIMIT:?}");
    }
    let output = waiter.join().expect("waiter thread").expect("child output");
    assert!(
        output.status.success(),
        "{name}: the child process failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
