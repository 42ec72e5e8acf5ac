//! Capturing evidence: `warroom run -- CMD…` runs the command as the
//! responder would and keeps a bounded copy of what it printed; `note
//! --file` reads a file the same way. What is kept and how it is checked is
//! `domain::evidence`; here is the process and terminal side.
//!
//! On a terminal (stdin and stdout both terminals) the command gets a
//! pseudo-terminal of its own with this terminal's settings and size: it
//! colours its output and reads keys as usual, stdout and stderr arrive
//! interleaved exactly as written, and Ctrl-C reaches it through its line
//! discipline (ours is in raw mode meanwhile, restored on every path: the
//! guard's drop runs on return, error and panic; SIGTERM and SIGHUP are
//! passed on to the command, which then ends the run normally).
//!
//! Ctrl-Z there suspends the run: the command is stopped (by warroom: the
//! kernel drops the pty's own SIGTSTP, see `suspend_key_stops_nothing`),
//! and warroom, seeing the stop, gives the terminal back in its own mode
//! and stops itself, so the shell says Stopped. `fg` resumes both: raw mode
//! again, the window's current size to the pty, SIGCONT to the command.
//! Continued in the background (`bg`), warroom cannot take the terminal:
//! setting raw mode gets SIGTTOU from the kernel and it stops again (tty
//! output), the command still stopped, until `fg`. Continued in the
//! background to be ended (bash's `kill %1`), it continues the command and
//! passes the signal on without the terminal, and takes the terminal back
//! if brought to the foreground before the command has ended.
//!
//! Otherwise (pipes, CI) its stdin is ours, and its stdout and stderr are
//! two pipes relayed to ours, so a `2>` still separates them; the record
//! interleaves them in the order they were read.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};

use chrono::{DateTime, Utc};

use crate::domain::evidence::{Capture, Captured, Exit};

/// A command that ran: how it ended, when, and what it printed.
pub struct Ran {
    pub exit: Exit,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub output: Captured,
}

/// How long the relay waits before looking whether the command has ended
/// while something it started still holds its output open.
const EXIT_CHECK_MS: i32 = 200;

/// Runs `argv` (program first) here, with our environment, streaming its
/// output to ours as it comes. An error only when it cannot be started.
pub fn run(argv: &[String]) -> io::Result<Ran> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no command to run"))?;
    let mut command = Command::new(program);
    command.args(args);
    let on_terminal = io::stdin().is_terminal() && io::stdout().is_terminal();
    let signals = Signals::catch()?;
    if on_terminal {
        run_in_pty(command, &signals)
    } else {
        run_with_pipes(command, &signals)
    }
}

/// Reads `path` as evidence: bounded, hashed, read as it streams.
pub fn read_file(path: &Path) -> io::Result<Captured> {
    let mut file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a folder, FIFO or device is not attached)",
        ));
    }
    let mut capture = Capture::default();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(capture.finish()),
            Ok(n) => capture.push(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn run_in_pty(mut command: Command, signals: &Signals) -> io::Result<Ran> {
    let stdin = io::stdin();
    let ours = stdin.as_raw_fd();
    let settings = terminal_settings(ours)?;
    let size = window_size(io::stdout().as_raw_fd());
    let (master, slave) = open_pty(&settings, &size)?;
    command
        .stdin(Stdio::from(slave.try_clone()?))
        .stdout(Stdio::from(slave.try_clone()?))
        .stderr(Stdio::from(slave));
    // SAFETY: setsid and ioctl are async-signal-safe; the child becomes the
    // leader of a new session whose controlling terminal is the pty (its
    // stdin by now), so Ctrl-C there signals the command's process group.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started_at = Utc::now();
    let mut child = command.spawn()?;
    // The command's session: passed-on signals go to its whole group.
    let group = -(child.id() as i32);
    // Dropped (restored) on every way out of this function.
    let raw = RawMode::enter(ours, settings)?;
    let mut relay = Relay::new(signals, group);
    relay.terminal = Some(&raw);
    relay.input = Some(ours);
    relay.add(master.as_raw_fd(), Sink::Stdout);
    relay.master = Some(master.as_raw_fd());
    let status = relay.run(&mut child)?;
    drop(master);
    Ok(finish(status, started_at, relay.capture))
}

fn run_with_pipes(mut command: Command, signals: &Signals) -> io::Result<Ran> {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started_at = Utc::now();
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().map(OwnedFd::from);
    let stderr = child.stderr.take().map(OwnedFd::from);
    let mut relay = Relay::new(signals, child.id() as i32);
    if let Some(fd) = &stdout {
        relay.add(fd.as_raw_fd(), Sink::Stdout);
    }
    if let Some(fd) = &stderr {
        relay.add(fd.as_raw_fd(), Sink::Stderr);
    }
    let status = relay.run(&mut child)?;
    Ok(finish(status, started_at, relay.capture))
}

fn finish(status: ExitStatus, started_at: DateTime<Utc>, capture: Capture) -> Ran {
    let exit = match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal(signal),
        (None, None) => Exit::Code(1),
    };
    Ran {
        exit,
        started_at,
        ended_at: Utc::now(),
        output: capture.finish(),
    }
}

/// Where a stream of the command goes besides the record.
#[derive(Clone, Copy)]
enum Sink {
    Stdout,
    Stderr,
}

/// Moves bytes until the command has ended and its output is drained:
/// keys to the pty, output to our terminal (or stdout/stderr) and the
/// capture, caught signals to the command.
struct Relay<'a> {
    signals: &'a Signals,
    /// Who passed-on signals go to (a negative id: a process group).
    target: i32,
    /// Our terminal, relayed to the pty (pty mode only).
    input: Option<RawFd>,
    /// The pty, for keys and window sizes.
    master: Option<RawFd>,
    /// Our terminal's raw mode, left while the run is suspended (pty mode
    /// only: through pipes the command shares our process group, and Ctrl-Z
    /// stops both without us).
    terminal: Option<&'a RawMode>,
    /// Continued in the background to be ended: running on without the
    /// terminal until brought to the foreground.
    detached: bool,
    outputs: Vec<(RawFd, Sink)>,
    capture: Capture,
    /// Our stdout or stderr stopped taking bytes (the terminal went away):
    /// the command still runs and is still recorded.
    stdout_gone: bool,
    stderr_gone: bool,
}

impl<'a> Relay<'a> {
    fn new(signals: &'a Signals, target: i32) -> Relay<'a> {
        Relay {
            signals,
            target,
            input: None,
            master: None,
            terminal: None,
            detached: false,
            outputs: Vec::new(),
            capture: Capture::default(),
            stdout_gone: false,
            stderr_gone: false,
        }
    }

    fn add(&mut self, fd: RawFd, sink: Sink) {
        self.outputs.push((fd, sink));
    }

    fn run(&mut self, child: &mut Child) -> io::Result<ExitStatus> {
        let mut buffer = vec![0u8; 64 * 1024];
        let mut exited = None;
        while !self.outputs.is_empty() {
            if self.detached {
                // `fg` sends a running job no signal: look at each wake.
                self.take_terminal_back();
            }
            let mut fds: Vec<libc::pollfd> = self
                .outputs
                .iter()
                .map(|(fd, _)| *fd)
                .chain([self.signals.read_fd()])
                .chain(self.input)
                .map(|fd| libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            // Once the command has ended, only what is already written is read.
            let timeout = if exited.is_some() { 0 } else { EXIT_CHECK_MS };
            // SAFETY: `fds` is a valid array of its length.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout) };
            if ready < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(error);
            }
            if ready == 0 {
                if exited.is_some() {
                    break;
                }
                self.suspend_if_stopped(child);
                exited = child.try_wait()?;
                continue;
            }
            let outputs = self.outputs.len();
            if fds[outputs].revents != 0 {
                let caught = self.signals.drain();
                if self.pass_on(caught, child) == Suspension::Resumed {
                    // What poll reported may have been read meanwhile (by
                    // the shell, or shown before stopping): look again
                    // rather than block on a read.
                    continue;
                }
            }
            if let Some(input) = fds.get(outputs + 1)
                && input.revents != 0
            {
                self.relay_keys(input.fd, &mut buffer);
            }
            let mut ended = Vec::new();
            for (index, poll) in fds[..outputs].iter().enumerate() {
                if poll.revents == 0 {
                    continue;
                }
                let (fd, sink) = self.outputs[index];
                match read_fd(fd, &mut buffer) {
                    Ok(0) => ended.push(fd),
                    Ok(n) => self.deliver(sink, n, &buffer),
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    // EIO: the pty's other side is closed, every writer gone.
                    Err(_) => ended.push(fd),
                }
            }
            self.outputs.retain(|(fd, _)| !ended.contains(fd));
        }
        match exited {
            Some(status) => Ok(status),
            None => child.wait(),
        }
    }

    fn deliver(&mut self, sink: Sink, length: usize, buffer: &[u8]) {
        let bytes = &buffer[..length];
        self.capture.push(bytes);
        let (gone, written) = match sink {
            Sink::Stdout => (&mut self.stdout_gone, write_out(&mut io::stdout().lock(), bytes)),
            Sink::Stderr => (&mut self.stderr_gone, write_out(&mut io::stderr().lock(), bytes)),
        };
        if !*gone && written.is_err() {
            *gone = true;
        }
    }

    fn relay_keys(&mut self, input: RawFd, buffer: &mut [u8]) {
        let Some(master) = self.master else { return };
        match read_fd(input, buffer) {
            Ok(0) | Err(_) => self.input = None,
            Ok(n) => {
                // SAFETY: the master stays open for the whole relay; the
                // File is forgotten so it does not close it.
                let mut pty = std::mem::ManuallyDrop::new(unsafe { File::from_raw_fd(master) });
                let _ = pty.write_all(&buffer[..n]);
                if self.terminal.is_some() && suspend_key_stops_nothing(master, self.target, &buffer[..n]) {
                    // SAFETY: kill takes plain numbers; the command's group.
                    unsafe { libc::kill(self.target, libc::SIGSTOP) };
                }
            }
        }
    }

    fn pass_on(&mut self, signals: Vec<libc::c_int>, child: &Child) -> Suspension {
        let mut suspension = Suspension::None;
        for signal in signals {
            match signal {
                // The command stopped or ended: a stop is seen at once, an
                // end by the next look (the exit status is `Child`'s to reap).
                libc::SIGCHLD => {
                    if self.suspend_if_stopped(child) == Suspension::Resumed {
                        suspension = Suspension::Resumed;
                    }
                }
                libc::SIGWINCH => self.pass_on_window_size(),
                // The terminal's Ctrl-C reached the command already (same
                // foreground group, or its own line discipline): a SIGINT
                // sent to warroom alone is not passed on twice.
                libc::SIGINT | libc::SIGQUIT => {}
                other => {
                    // SAFETY: kill takes plain numbers.
                    unsafe { libc::kill(self.target, other) };
                }
            }
        }
        suspension
    }

    fn pass_on_window_size(&self) {
        if let Some(master) = self.master {
            let size = window_size(io::stdout().as_raw_fd());
            // SAFETY: TIOCSWINSZ reads a winsize; the kernel then signals
            // the command's foreground group itself (when the size changed).
            unsafe { libc::ioctl(master, libc::TIOCSWINSZ, &size) };
        }
    }

    /// When the command has stopped (Ctrl-Z in its pty, or a stop signal),
    /// suspends warroom with it and, once continued in the foreground,
    /// resumes both.
    fn suspend_if_stopped(&mut self, child: &Child) -> Suspension {
        let Some(terminal) = self.terminal else {
            return Suspension::None;
        };
        if !has_stopped(child) {
            return Suspension::None;
        }
        self.show_pending_output();
        terminal.leave();
        // SIGTSTP at its default action (never caught here) stops us, and
        // the shell says Stopped; raise returns once we are continued. Where
        // nobody could continue us (SIGTSTP ignored, an orphaned process
        // group) it does nothing, and the command is simply resumed.
        // SAFETY: raise takes a plain number.
        unsafe { libc::raise(libc::SIGTSTP) };
        // Caught while we were stopped, handled once we were continued.
        let caught = self.signals.drain();
        let ending = caught
            .iter()
            .any(|&signal| matches!(signal, libc::SIGTERM | libc::SIGHUP));
        if ending && !terminal.in_foreground() {
            // Ended while suspended (bash's `kill %1` sends SIGTERM, then
            // SIGCONT, the shell keeping the terminal; or the terminal
            // closed): the command is continued to be told, and warroom
            // leaves the terminal alone (reading keys would stop it again).
            self.detached = true;
            self.input = None;
        } else {
            // In the background (`bg`) this blocks: setting the terminal
            // gets SIGTTOU and the kernel stops us again until `fg`. Should
            // the terminal be gone, the command is resumed all the same.
            let _ = terminal.enter_again();
            // The window may have changed size while we were stopped.
            self.pass_on_window_size();
        }
        // SAFETY: kill takes plain numbers; the command's whole group.
        unsafe { libc::kill(self.target, libc::SIGCONT) };
        self.pass_on(caught, child);
        Suspension::Resumed
    }

    /// Brought to the foreground while running detached (a command that
    /// outlived the signal meant to end it): raw mode and keys again.
    fn take_terminal_back(&mut self) {
        let Some(terminal) = self.terminal else { return };
        if !self.detached || !terminal.in_foreground() {
            return;
        }
        if terminal.enter_again().is_ok() {
            self.detached = false;
            self.input = Some(terminal.fd);
            self.pass_on_window_size();
        }
    }

    /// Shows what the pty already holds (the echo of ^Z, the command's last
    /// words) before the terminal goes back to the shell, so that it comes
    /// before the shell's Stopped line, not after `fg`.
    fn show_pending_output(&mut self) {
        let mut buffer = vec![0u8; 16 * 1024];
        // Bounded: a job of a shell run inside may still be writing.
        for _ in 0..PENDING_OUTPUT_READS {
            let mut fds: Vec<libc::pollfd> = self
                .outputs
                .iter()
                .map(|&(fd, _)| libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                })
                .collect();
            // SAFETY: `fds` is a valid array of its length.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, PENDING_OUTPUT_MS) };
            if ready <= 0 {
                return;
            }
            for (poll, &(fd, sink)) in fds.iter().zip(&self.outputs.clone()) {
                // An end or an error is left for the relay to see again.
                if poll.revents & libc::POLLIN != 0
                    && let Ok(n @ 1..) = read_fd(fd, &mut buffer)
                {
                    self.deliver(sink, n, &buffer);
                }
            }
        }
    }
}

/// Whether a suspension happened (and ended: warroom was continued).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Suspension {
    None,
    Resumed,
}

/// How long, before suspending, the pty's last output is waited for: the
/// line discipline echoes the ^Z just written on its own time.
const PENDING_OUTPUT_MS: i32 = 20;
/// At most this many reads of what is pending, each up to 16 KiB.
const PENDING_OUTPUT_READS: usize = 8;

/// Whether `keys` hold the pty's suspend key (Ctrl-Z) while its line
/// discipline would send SIGTSTP to the command's own process group, which
/// the kernel then drops: the command leads a session of its own, so its
/// group is orphaned (no parent in the session to resume it), and the
/// kernel never stops such a group with SIGTSTP. A command
/// that reads Ctrl-Z as a key (no ISIG) or a job of a shell run inside (the
/// pty's foreground is another group, stopped by the kernel as usual) is
/// left alone.
fn suspend_key_stops_nothing(master: RawFd, group: i32, keys: &[u8]) -> bool {
    let Ok(settings) = terminal_settings(master) else {
        return false;
    };
    let suspend = settings.c_cc[libc::VSUSP];
    // SAFETY: tcgetpgrp on the master reads the pty's foreground group.
    let foreground = unsafe { libc::tcgetpgrp(master) };
    settings.c_lflag & libc::ISIG != 0
        && suspend != libc::_POSIX_VDISABLE
        && keys.contains(&suspend)
        && foreground == -group
}

/// Whether `child` has stopped since the last look. Asks for stops only
/// (no WEXITED), so the exit status stays for `Child` to reap.
fn has_stopped(child: &Child) -> bool {
    // SAFETY: siginfo_t is plain data, filled in by waitid; zeroed first so
    // that "nothing to report" reads as pid 0.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: waitid writes one siginfo_t, which `info` is.
    let found = unsafe {
        libc::waitid(
            libc::P_PID,
            child.id() as libc::id_t,
            &mut info,
            libc::WSTOPPED | libc::WNOHANG,
        )
    };
    // SAFETY: si_pid reads the union field waitid sets for child events.
    found == 0 && unsafe { info.si_pid() } != 0
}

fn write_out(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(bytes)?;
    out.flush()
}

fn read_fd(fd: RawFd, buffer: &mut [u8]) -> io::Result<usize> {
    // SAFETY: the buffer is writable for its whole length, which is passed.
    let n = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

fn terminal_settings(fd: RawFd) -> io::Result<libc::termios> {
    // SAFETY: termios is plain data, filled in by tcgetattr.
    let mut settings: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut settings) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(settings)
}

fn window_size(fd: RawFd) -> libc::winsize {
    let mut size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ fills a winsize; on failure the default stays.
    unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) };
    size
}

fn open_pty(settings: &libc::termios, size: &libc::winsize) -> io::Result<(OwnedFd, OwnedFd)> {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two descriptors; settings and size are read only.
    let status = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), settings, size) };
    if status != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both are new descriptors owned by nobody else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // The command must not inherit the master.
    // SAFETY: F_SETFD on our own descriptor.
    unsafe { libc::fcntl(master.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) };
    Ok((master, slave))
}

/// Our terminal in raw mode (keys pass straight to the command's pty) until
/// dropped, then as it was.
struct RawMode {
    fd: RawFd,
    saved: libc::termios,
    /// Whether raw mode is on now: the terminal is only set when it
    /// changes (from the background, setting it would stop us).
    on: std::cell::Cell<bool>,
}

impl RawMode {
    fn enter(fd: RawFd, saved: libc::termios) -> io::Result<RawMode> {
        let raw_mode = RawMode {
            fd,
            saved,
            on: std::cell::Cell::new(false),
        };
        raw_mode.enter_again()?;
        Ok(raw_mode)
    }

    /// Raw mode (again, after [`RawMode::leave`]).
    fn enter_again(&self) -> io::Result<()> {
        let mut raw = self.saved;
        // SAFETY: cfmakeraw edits the struct; tcsetattr reads it.
        unsafe { libc::cfmakeraw(&mut raw) };
        loop {
            if unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &raw) } == 0 {
                self.on.set(true);
                return Ok(());
            }
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    }

    /// Whether our process group is the terminal's foreground (not a
    /// background job, which may not set the terminal or read from it).
    fn in_foreground(&self) -> bool {
        // SAFETY: tcgetpgrp and getpgrp take and return plain numbers.
        unsafe { libc::tcgetpgrp(self.fd) == libc::getpgrp() }
    }

    /// The terminal as it was, for now (the guard still restores it when dropped).
    fn leave(&self) {
        if self.on.replace(false) {
            // SAFETY: restores the settings read before.
            unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &self.saved) };
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        self.leave();
    }
}

/// The write end of the pipe the signal handler writes to (a handler may
/// only do async-signal-safe things; `write` is one).
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

/// The signals caught while a command runs: each becomes a byte in a pipe
/// the relay polls. The previous handlers come back when dropped.
struct Signals {
    read: OwnedFd,
    /// Kept open for the handler while the signals are caught.
    _write: OwnedFd,
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

const CAUGHT: [libc::c_int; 6] = [
    libc::SIGCHLD,
    libc::SIGWINCH,
    libc::SIGTERM,
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGQUIT,
];

extern "C" fn on_signal(signal: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    let byte = signal as u8;
    // SAFETY: write is async-signal-safe; a full pipe just drops the byte.
    unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
}

impl Signals {
    fn catch() -> io::Result<Signals> {
        let mut fds = [0; 2];
        // SAFETY: pipe2 writes two descriptors into the array.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both are new descriptors owned by nobody else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        SIGNAL_PIPE.store(write.as_raw_fd(), Ordering::Relaxed);
        let mut previous = Vec::new();
        for signal in CAUGHT {
            // SAFETY: sigaction with a handler that only writes to the pipe;
            // the old action is kept to be put back.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        Ok(Signals {
            read,
            _write: write,
            previous,
        })
    }

    fn read_fd(&self) -> RawFd {
        self.read.as_raw_fd()
    }

    /// The signals caught since the last look.
    fn drain(&self) -> Vec<libc::c_int> {
        let mut bytes = [0u8; 64];
        let mut caught = Vec::new();
        while let Ok(n) = read_fd(self.read.as_raw_fd(), &mut bytes) {
            if n == 0 {
                break;
            }
            caught.extend(bytes[..n].iter().map(|&b| libc::c_int::from(b)));
        }
        caught
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: puts back the action sigaction gave us.
            unsafe { libc::sigaction(*signal, old, std::ptr::null_mut()) };
        }
        SIGNAL_PIPE.store(-1, Ordering::Relaxed);
    }
}
