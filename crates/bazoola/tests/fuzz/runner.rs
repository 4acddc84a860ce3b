//! The harness: a child process per chunk of cases, a forked process per case under
//! time and memory limits, step markers saying where a case crashed, proptest runs.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestError, TestRng, TestRunner};

use crate::common::child::in_child;
use crate::corpus::{corpus, save_case};
use crate::directory::base;
use crate::input::Input;
use crate::strategies::case;
use crate::targets::{open_target, ops_target};
use crate::{
    KnownFailure, CASE_LIMIT, DEFAULT_CASES_OPEN, DEFAULT_CASES_OPS, DEFAULT_SEED, KNOWN_FAILURES,
    MEMORY_LIMIT, SHRINK_TIME,
};

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Target {
    Open,
    Ops,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Open => "fuzz_open_arbitrary_files",
            Target::Ops => "fuzz_operations_over_corrupted_files",
        }
    }
    fn run(self, root: &Path, input: &Input) -> Result<(), String> {
        match self {
            Target::Open => open_target(root, input),
            Target::Ops => ops_target(root, input),
        }
    }
}

/// Where the child leaves its summary and shrunk failures, keyed by the parent's pid so
/// concurrent runs do not collide.
fn work_dir(target: Target, parent_pid: u32) -> PathBuf {
    std::env::temp_dir().join(format!("bazoola-fuzz-{parent_pid}-{}", target.name()))
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(text.trim().parse().unwrap_or_else(|e| panic!("{name}={text}: {e}")))
}

const RESULT_MARK: &str = "@@fuzz-case-result@@";
const STEP_MARK: &str = "@@fuzz-case-step@@ ";

/// In the forked process: says what the case is doing, so a crash can say where.
pub(crate) fn step(what: &str) {
    let _ = std::io::stderr().write_all(format!("\n{STEP_MARK}{what}\n").as_bytes());
}

/// In the forked process: the message of a panic, with where it happened.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// In the forked process: an abort (a failed allocation, a stack overflow) prints the
/// core's frames before the process dies, so the finding says where it happened.
extern "C" fn on_abort(_: libc::c_int) {
    // SAFETY: the default action first, so an abort inside this handler (no memory left
    // for the backtrace) ends the process instead of re-entering it.
    unsafe { libc::signal(libc::SIGABRT, libc::SIG_DFL) };
    let trace = std::backtrace::Backtrace::force_capture().to_string();
    let mut out = String::from("backtrace (bazoola frames):\n");
    for line in trace.lines().filter(|l| l.contains("bazoola::") || l.contains("crates/bazoola/src")) {
        out.push_str(line);
        out.push('\n');
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
    // SAFETY: re-raising with the default action, so the process dies of SIGABRT.
    unsafe { libc::raise(libc::SIGABRT) };
}

/// Runs one case in a forked process, so a panic, an abort, a stack overflow or a hang
/// is a failed case (which proptest then shrinks) rather than the end of the run.
fn run_case(target: Target, input: &Input) -> Result<(), String> {
    let root = tempfile::tempdir().expect("case dir");
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) into a two-element array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
    // SAFETY: the forked process only runs the case, reports through the pipe and
    // `_exit`s; this process is single-threaded apart from the test harness's idle main
    // thread.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork");
    if pid == 0 {
        // SAFETY: fd and signal set-up of the forked process.
        unsafe {
            libc::close(fds[0]);
            libc::dup2(fds[1], 2);
            libc::signal(libc::SIGABRT, on_abort as *const () as libc::sighandler_t);
        }
        std::panic::set_hook(Box::new(|info| {
            let message = match info.payload().downcast_ref::<&str>() {
                Some(s) => s.to_string(),
                None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
            };
            let location = info.location().map(|l| l.to_string()).unwrap_or_default();
            *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{message} at {location}"));
        }));
        let outcome = catch_unwind(AssertUnwindSafe(|| target.run(root.path(), input)));
        let message = match outcome {
            Ok(Ok(())) => format!("\n{RESULT_MARK}ok"),
            Ok(Err(failure)) => format!("\n{RESULT_MARK}{failure}"),
            Err(_) => {
                let panic = LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take();
                format!("\n{RESULT_MARK}panic: {}", panic.unwrap_or_default())
            }
        };
        let _ = std::io::stderr().write_all(message.as_bytes());
        // SAFETY: ends the forked process without running the parent's destructors.
        unsafe { libc::_exit(0) };
    }
    // SAFETY: closing our copy of the write end.
    unsafe { libc::close(fds[1]) };
    let deadline = Instant::now() + CASE_LIMIT;
    let mut output = Vec::new();
    let mut hung = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut poll = libc::pollfd { fd: fds[0], events: libc::POLLIN, revents: 0 };
        // SAFETY: poll(2) and read(2) on our pipe.
        let ready = unsafe { libc::poll(&mut poll, 1, left.as_millis() as libc::c_int) };
        if ready == 0 {
            hung = true;
            break;
        }
        let mut chunk = [0u8; 8192];
        let n = unsafe { libc::read(fds[0], chunk.as_mut_ptr().cast(), chunk.len()) };
        if n <= 0 {
            if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if output.len() < 1 << 20 {
            output.extend_from_slice(&chunk[..n as usize]);
        }
    }
    let mut status = 0;
    // SAFETY: killing and reaping the process we forked.
    unsafe {
        if hung {
            libc::kill(pid, libc::SIGKILL);
        }
        libc::waitpid(pid, &mut status, 0);
        libc::close(fds[0]);
    }
    let output = String::from_utf8_lossy(&output);
    let during = output.lines().filter_map(|l| l.strip_prefix(STEP_MARK)).next_back().unwrap_or("setting up");
    let during = format!("during `{during}`");
    let output: String = output
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE") && !line.starts_with(STEP_MARK))
        .filter(|line| !line.trim().is_empty())
        .collect();
    if hung {
        return Err(format!("hang: the case ran longer than {CASE_LIMIT:?} {during}\n{output}"));
    }
    match output.rsplit_once(RESULT_MARK) {
        Some((_, "ok")) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => Ok(()),
        Some((_, failure)) => Err(failure.to_string()),
        None if libc::WIFSIGNALED(status) => {
            Err(format!("crash: killed by signal {} {during}\n{}", libc::WTERMSIG(status), output.trim()))
        }
        None => Err(format!("crash: exit status {status} {during}\n{}", output.trim())),
    }
}

/// The known failure a failure message is an instance of, if any.
fn known_failure(failure: &str) -> Option<&'static KnownFailure> {
    KNOWN_FAILURES.iter().find(|k| k.signature.iter().all(|s| failure.contains(s)))
}

fn child_main(target: Target) {
    // SAFETY: setrlimit(2) on this process (and so on the cases it forks).
    unsafe {
        let limit = libc::rlimit { rlim_cur: MEMORY_LIMIT, rlim_max: libc::RLIM_INFINITY };
        assert_eq!(libc::setrlimit(libc::RLIMIT_AS, &limit), 0, "setrlimit");
    }
    let work = work_dir(target, std::os::unix::process::parent_id());
    let assignment = std::fs::read_to_string(work.join("chunk")).expect("the parent's assignment");
    let (chunk, cases) = assignment.trim().split_once(' ').expect("chunk and cases");
    let (chunk, cases): (u64, u32) = (chunk.parse().expect("chunk"), cases.parse().expect("cases"));
    let started = Instant::now();
    let _ = base();

    // The corpus, deterministically, before the first chunk.
    let mut replayed = 0;
    let mut skipped = Vec::new();
    for (name, input) in if chunk == 0 { corpus() } else { Vec::new() } {
        if target == Target::Ops && input.ops.is_empty() {
            continue;
        }
        if KNOWN_FAILURES.iter().any(|k| k.corpus == name) {
            // Checked by the target it belongs to: with operations, the second.
            let mine = (target == Target::Ops) != input.ops.is_empty();
            if std::env::var_os("BAZOOLA_FUZZ_CHECK_KNOWN").is_some() && mine {
                let outcome = match run_case(target, &input) {
                    Ok(()) => "now passes: remove it from KNOWN_FAILURES".to_string(),
                    Err(failure) => {
                        format!("still fails: {}", failure.lines().take(3).collect::<Vec<_>>().join(" | "))
                    }
                };
                skipped.push(format!("{name} {outcome}"));
            } else {
                skipped.push(name);
            }
            continue;
        }
        if let Err(failure) = run_case(target, &input) {
            panic!("corpus entry {name} fails: {failure}\ninput: {input:?}");
        }
        replayed += 1;
    }

    // Random cases.
    let seed = env_u64("BAZOOLA_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&(target as u64).to_le_bytes());
    seed_bytes[16..24].copy_from_slice(&chunk.to_le_bytes());
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        max_shrink_iters: 4096,
        max_shrink_time: SHRINK_TIME.as_millis() as u32,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let executions = AtomicUsize::new(0);
    let slowest = Mutex::new(Duration::ZERO);
    let known_hits: Mutex<BTreeMap<&'static str, usize>> = Mutex::new(BTreeMap::new());
    let result = runner.run(&case(target == Target::Ops), |case| {
        executions.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let outcome = run_case(target, &case.materialise());
        let mut slowest = slowest.lock().unwrap();
        *slowest = (*slowest).max(start.elapsed());
        drop(slowest);
        match outcome {
            Ok(()) => Ok(()),
            Err(failure) => match known_failure(&failure) {
                Some(known) => {
                    *known_hits.lock().unwrap().entry(known.corpus).or_default() += 1;
                    Ok(())
                }
                None => Err(TestCaseError::fail(failure)),
            },
        }
    });
    let hits = known_hits.into_inner().unwrap();
    let corpus_note = if chunk == 0 {
        format!(
            "{replayed} corpus entries replayed, {} skipped as known failures {skipped:?}; ",
            skipped.len()
        )
    } else {
        String::new()
    };
    let summary = format!(
        "{} chunk {chunk}: {corpus_note}{cases} random cases (seed {seed}): {} executions, {} hit known \
         failures {hits:?}; slowest case {:.1?}; {:.1?} in all\n",
        target.name(),
        executions.load(Ordering::Relaxed),
        hits.values().sum::<usize>(),
        slowest.into_inner().unwrap(),
        started.elapsed()
    );
    match result {
        Ok(()) => std::fs::write(work.join("summary"), &summary).expect("summary"),
        Err(TestError::Fail(reason, case)) => {
            let minimal = work.join("minimal-case");
            let input = case.materialise();
            save_case(&input, &minimal);
            panic!(
                "{summary}FOUND (seed {seed}, chunk {chunk}): {reason}\nshrunk case: {case:?}\n{input:?}\nsaved in \
                 corpus form in {} (copy it to tests/fuzz-corpus/NAME/ to keep it)",
                minimal.display()
            );
        }
        Err(TestError::Abort(reason)) => panic!("{summary}proptest aborted: {reason}"),
    }
}

/// Runs a target's cases in chunks, each in a child process (`in_child` counts a child
/// running longer than two minutes as hung, so long mode needs several).
pub(crate) fn run_target(target: Target) {
    let name = target.name();
    if std::env::var("BAZOOLA_CHILD_TEST").as_deref() == Ok(name) {
        child_main(target);
        return;
    }
    let work = work_dir(target, std::process::id());
    std::fs::create_dir_all(&work).expect("work dir");
    let chunk_size = if target == Target::Open { DEFAULT_CASES_OPEN } else { DEFAULT_CASES_OPS };
    let total = env_u64("BAZOOLA_FUZZ_CASES").unwrap_or(u64::from(chunk_size));
    let started = Instant::now();
    let mut stderr = std::io::stderr();
    let mut done = 0;
    for chunk in 0.. {
        let cases = (total - done).min(u64::from(chunk_size));
        if cases == 0 && chunk > 0 {
            break;
        }
        std::fs::write(work.join("chunk"), format!("{chunk} {cases}")).expect("assignment");
        in_child(name, || unreachable!("the child runs child_main"));
        // Written straight to the file descriptor, past the test harness's capture.
        let summary = std::fs::read_to_string(work.join("summary")).unwrap_or_default();
        let _ = stderr.write_all(summary.as_bytes());
        done += cases;
    }
    let _ = writeln!(stderr, "{name}: {done} random cases in {:.1?}", started.elapsed());
    let _ = std::fs::remove_dir_all(&work);
}
