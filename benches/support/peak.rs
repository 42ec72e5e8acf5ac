//! A command's peak memory, without the bench's own. Linux carries a
//! process's peak RSS through fork and exec, so a command started by a bench
//! that holds a large database build would report the bench's peak. The
//! command is started instead from a small fresh copy of the running bench,
//! which waits for it with `wait4` and writes its `ru_maxrss`. A bench using
//! this calls [`measure_if_asked`] first.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

/// Set in a copy of the bench started only to start a command and say its
/// peak RSS: the file to write the peak (kB) to.
const MEASURE_ENV: &str = "WARROOM_BENCH_PEAK_FILE";

/// A command that runs `program` (add its arguments, environment and
/// output) through a fresh copy of this bench, which writes the program's
/// peak RSS to `peak_file`; read it with [`peak_mb`] once it has ended.
pub fn measured(program: impl AsRef<OsStr>, peak_file: &Path) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("this bench's path"));
    command.env(MEASURE_ENV, peak_file).arg(program);
    command
}

/// The peak RSS (MB) a [`measured`] command's copy wrote; the file is removed.
pub fn peak_mb(peak_file: &Path) -> f64 {
    let peak_kb: f64 = std::fs::read_to_string(peak_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in {}", peak_file.display()));
    let _ = std::fs::remove_file(peak_file);
    peak_kb / 1024.0
}

/// In a copy started by [`measured`]: runs the command given, waits for it
/// with wait4, writes its peak RSS and exits with its status. False
/// otherwise (the bench itself).
pub fn measure_if_asked() -> bool {
    let Some(peak_file) = std::env::var_os(MEASURE_ENV) else {
        return false;
    };
    let mut args = std::env::args_os().skip(1);
    let program = args.next().expect("the command to measure");
    let child = Command::new(program)
        .args(args)
        .env_remove(MEASURE_ENV)
        .spawn()
        .expect("start the command");
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let mut status = 0;
    // SAFETY: rusage is plain data, filled in by wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; both pointers are
    // to live locals. wait4 reaps it, so `child` is never waited for again.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    drop(child);
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    // ru_maxrss is in kB on Linux.
    std::fs::write(peak_file, usage.ru_maxrss.to_string()).expect("write the peak");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        1
    };
    std::process::exit(code);
}
