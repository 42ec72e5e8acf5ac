//! The full-screen console: terminal set-up and restore, and the event loop
//! that feeds keys, clock ticks and store news into [`App`] and draws it.

pub mod colors;
pub mod mailbox;
pub mod worker;

use std::io::stdout;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::account::current_account;
use crate::app::{App, Event, RunbookChoice};
use crate::config::Config;
use crate::domain::presence::{self, Presence};
use crate::store::{Location, OpenMode, Store, StoreError};
use worker::{Worker, WorkerMessage};

/// The screen: stdout, through [`colors::BasicColors`] on a 16-colour terminal.
type Screen = Terminal<CrosstermBackend<Box<dyn std::io::Write>>>;

/// Opens the console on `db`, attached to `incident` or the latest open one.
pub fn run(db: &Location, incident: Option<i64>, config: &Config) -> Result<()> {
    // Drafts and the log an older warroom left readable become private.
    crate::private_state::tighten();
    // Problems with the file are reported before the screen is taken over.
    let mut store = Store::open(db, OpenMode::Create).or_else(|e| match e {
        // An observer without write access to the folder can still watch an existing file.
        StoreError::CreateFolder { .. } => Store::open(db, OpenMode::Existing),
        e => Err(e),
    })?;
    if let Some(id) = incident {
        store.incident_state(id)?;
    }
    let account = current_account();
    let mut app = App::new(account.clone(), db.to_string(), Utc::now());
    let depth = dress(&mut app, config)?;
    // The start screen offers the library's runbooks, the configured one
    // chosen; a broken configured runbook is refused now, not at declaration.
    let library = crate::config::runbook_library(config).map_err(|e| eyre!(e))?;
    let configured = config
        .runbook
        .as_deref()
        .map(|wanted| library.find(&wanted.to_string_lossy()))
        .transpose()
        .map_err(|e| eyre!("config: {e}"))?;
    let mut choices: Vec<crate::runbooks::Entry> = library.entries.clone();
    app.start.runbook = match configured {
        Some(wanted) => match choices
            .iter()
            .position(|c| c.recorded_name == wanted.recorded_name && c.file == wanted.file)
        {
            Some(at) => at,
            None => {
                choices.insert(0, wanted);
                0
            }
        },
        None => 0,
    };
    app.start.runbooks = choices.into_iter().map(RunbookChoice::from).collect();
    if !library.broken.is_empty() {
        app.complain(format!(
            "{} runbook file(s) in the library cannot be used: `warroom runbooks` says why",
            library.broken.len()
        ));
    }

    require_terminal()?;
    let runtime = console_runtime()?;
    let (terminal, guard) = enter_terminal(depth)?;
    let me = Presence {
        session: uuid::Uuid::new_v4().to_string(),
        // A name the presence check would refuse is listed by its uid.
        account: if presence::is_account_name(&account) {
            account.clone()
        } else {
            format!("uid:{}", uzers::get_current_uid())
        },
        terminal: terminal_name(),
        host: crate::account::host_name().to_owned(),
        incident_id: incident,
        since: Utc::now(),
        seen_at: Utc::now(),
    };
    let mut worker = Worker::new(store, incident, account, me);
    worker.cost = config.cost.clone();
    let result = runtime.block_on(event_loop(terminal, &mut app, Some(worker)));
    drop(guard);
    result
}

/// How often a replay's clock moves on: smoother than the live console's
/// second (at ×60 a tick is 15 replayed seconds), and a replay reads no
/// database, so a frame is all a tick costs.
const REPLAY_TICK: Duration = Duration::from_millis(250);

/// Opens a replay of `replay` (read once from `database`) from `from` at
/// `speed`: the console, read-only, with no store worker.
pub fn replay(
    database: &Location,
    replay: crate::domain::replay::Replay,
    runbook_text: String,
    from: chrono::DateTime<Utc>,
    speed: u32,
    config: &Config,
) -> Result<()> {
    let mut app = App::replay(
        current_account(),
        database.to_string(),
        replay,
        runbook_text,
        from,
        speed,
        Utc::now(),
    );
    let depth = dress(&mut app, config)?;
    // A replay never rings: its deadlines are history.
    app.bell_enabled = false;
    require_terminal()?;
    let runtime = console_runtime()?;
    let (terminal, guard) = enter_terminal(depth)?;
    let result = runtime.block_on(event_loop(terminal, &mut app, None));
    drop(guard);
    result
}

/// Dresses the console as the config and the environment say (colours,
/// background, bell, keys); returns the colour depth to write.
fn dress(app: &mut App, config: &Config) -> Result<colors::ColorDepth> {
    app.colors = config.colors(
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::env::var("TERM").ok().as_deref(),
    );
    app.background = config.background(std::env::var("COLORFGBG").ok().as_deref());
    let depth = colors::color_depth(
        std::env::var("TERM").ok().as_deref(),
        std::env::var("COLORTERM").ok().as_deref(),
    );
    app.bell_enabled = match std::env::var("WARROOM_BELL").as_deref() {
        Ok("off" | "0" | "no" | "false") => false,
        Ok(_) => true,
        Err(_) => config.bell.unwrap_or(true),
    };
    app.keymap =
        crate::app::keymap::Keymap::with_overrides(&config.keys).map_err(|e| eyre!("config: {e}"))?;
    Ok(depth)
}

/// Keys are read from the controlling terminal (stdin may be redirected),
/// the screen is drawn on stdout: both must be a terminal.
fn require_terminal() -> Result<()> {
    use std::io::IsTerminal;
    let has_terminal = std::fs::File::open("/dev/tty").is_ok();
    if !has_terminal || !stdout().is_terminal() {
        return Err(eyre!(
            "the console needs a terminal; over SSH use `ssh -t HOST warroom` (commands like `warroom note` work without one)"
        ));
    }
    Ok(())
}

fn console_runtime() -> Result<tokio::runtime::Runtime> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the console runtime")?;
    let _ = color_eyre::install();
    Ok(runtime)
}

/// Restores the terminal when dropped, on every way out of the console.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(stdout(), DisableBracketedPaste);
        ratatui::restore();
    }
}

fn enter_terminal(depth: colors::ColorDepth) -> Result<(Screen, TerminalGuard)> {
    // ratatui::init installs a panic hook that restores the screen; ours
    // runs first and also turns bracketed paste off. Its terminal on plain
    // stdout is set aside for one that writes the colours this one has.
    drop(ratatui::try_init().wrap_err("cannot set up the terminal")?);
    let output: Box<dyn std::io::Write> = match depth {
        colors::ColorDepth::Basic16 => Box::new(colors::BasicColors::new(stdout())),
        colors::ColorDepth::Indexed256 => Box::new(stdout()),
    };
    let terminal = Terminal::new(CrosstermBackend::new(output)).wrap_err("cannot set up the terminal")?;
    let guard = TerminalGuard;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableBracketedPaste);
        previous(info);
    }));
    execute!(stdout(), EnableBracketedPaste).wrap_err("cannot set up the terminal")?;
    Ok((terminal, guard))
}

/// Offers back the drafts an earlier session of this account kept for the
/// attached incident, and keeps the current ones on disk when they change,
/// so an SSH drop mid-sentence loses nothing.
fn keep_drafts(app: &mut App, database: &Location) {
    use crate::domain::EntryKind;
    use crate::drafts;
    if let Some(id) = app.record.as_ref().map(|r| r.incident.id)
        && app.drafts_loaded_for != Some(id)
    {
        app.drafts_loaded_for = Some(id);
        let load = |kind| drafts::draft_path(database, id, kind).and_then(|p| drafts::load(&p));
        app.handle(Event::DraftsRestored {
            note: load(EntryKind::Note),
            update: load(EntryKind::StatusUpdate),
        });
    }
    if let Some((id, note, update)) = app.take_dirty_drafts() {
        for (kind, text) in [(EntryKind::Note, note), (EntryKind::StatusUpdate, update)] {
            if let Some(path) = drafts::draft_path(database, id, kind) {
                drafts::save(&path, &text);
            }
        }
    }
}

/// The console's loop: keys, clock ticks and the store worker's news into
/// [`App`], drawn after each batch. A replay runs it without a worker (its
/// app asks the store nothing) and with a faster clock.
async fn event_loop(mut terminal: Screen, app: &mut App, worker: Option<Worker>) -> Result<()> {
    let database = worker.as_ref().map(|w| w.store.location().clone());
    // A key or paste makes this minute active in the incident's attendance.
    let typed = worker
        .as_ref()
        .map_or_else(Default::default, |w| std::sync::Arc::clone(&w.typed));
    let (events_tx, mut events) = mpsc::unbounded_channel::<Event>();

    let (requests, inbox) = mailbox::mailbox().wrap_err("cannot start the store worker")?;
    let own_mailbox = requests.clone();
    let worker_thread = match worker {
        Some(worker) => Some(
            std::thread::Builder::new()
                .name("store".into())
                .spawn(move || worker.run(inbox, own_mailbox, events_tx))
                .wrap_err("cannot start the store worker")?,
        ),
        None => None,
    };
    let tick = if worker_thread.is_some() {
        Duration::from_secs(1)
    } else {
        REPLAY_TICK
    };

    // Terminal input arrives on a thread of its own; a read error means the
    // terminal is gone (SSH dropped), which ends the console.
    let (input_tx, mut input) = mpsc::unbounded_channel::<Option<Event>>();
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let next = match event::read() {
                    Ok(event::Event::Key(key)) if key.kind != event::KeyEventKind::Release => {
                        typed.store(true, std::sync::atomic::Ordering::Relaxed);
                        Some(Event::Key(key))
                    }
                    Ok(event::Event::Paste(text)) => {
                        typed.store(true, std::sync::atomic::Ordering::Relaxed);
                        Some(Event::Paste(text))
                    }
                    Ok(event::Event::Resize(..)) => Some(Event::Tick(Utc::now())),
                    Ok(_) => continue,
                    Err(_) => None,
                };
                let gone = next.is_none();
                if input_tx.send(next).is_err() || gone {
                    return;
                }
            }
        })
        .wrap_err("cannot start the input reader")?;

    // The terminal hung up (SSH dropped): nothing can be shown any more.
    let mut hung_up = false;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut clock = tokio::time::interval(tick);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);

    loop {
        terminal.draw(|frame| crate::ui::draw(frame, app))?;
        if app.take_bell() {
            // BEL is ours, not text from the database: a deadline came due.
            use std::io::Write;
            let _ = stdout().write_all(b"\x07").and_then(|()| stdout().flush());
        }
        let event = tokio::select! {
            Some(event) = events.recv() => event,
            next = input.recv() => match next.flatten() {
                Some(event) => event,
                None => {
                    hung_up = true;
                    break;
                }
            },
            _ = clock.tick() => Event::Tick(Utc::now()),
            _ = terminate.recv() => break,
            _ = hangup.recv() => {
                hung_up = true;
                break;
            }
            _ = interrupt.recv() => break,
        };
        let mut pending = vec![event];
        // Take everything already waiting before drawing again (a paste, a burst of keys).
        let mut terminal_gone = false;
        while let Ok(next) = input.try_recv() {
            match next {
                Some(event) => pending.push(event),
                None => terminal_gone = true,
            }
        }
        while let Ok(event) = events.try_recv() {
            pending.push(event);
        }
        for event in pending {
            for request in app.handle(event) {
                if worker_thread.is_some() && requests.send(WorkerMessage::Write(request)).is_err() {
                    return Err(color_eyre::eyre::eyre!("the store worker stopped"));
                }
            }
        }
        if let Some(database) = &database {
            keep_drafts(app, database);
        }
        if app.should_quit || terminal_gone {
            hung_up |= terminal_gone;
            break;
        }
    }
    if hung_up {
        // Restoring a hung-up terminal fails, and ratatui says so on stderr,
        // which is that terminal too: a failed print there would abort the
        // process before it cleans up (the demo's temporary database).
        silence_stderr();
    }
    // Let the worker finish a write in flight and take our presence away.
    if let Some(worker_thread) = worker_thread {
        let _ = requests.send(WorkerMessage::Quit);
        let _ = worker_thread.join();
    }
    Ok(())
}

/// Points stderr at /dev/null (diagnostics still go to the log file).
fn silence_stderr() {
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        use std::os::fd::AsRawFd;
        // SAFETY: dup2 onto fd 2 with a valid open descriptor; the old
        // stderr is closed by the kernel, nothing of ours refers to it.
        unsafe {
            libc::dup2(null.as_raw_fd(), 2);
        }
    }
}

/// The controlling terminal's own name (`pts/3`), as the kernel knows it,
/// or `?`. Never a path or variable the caller chooses (stdin's path,
/// `$SSH_TTY`): those would let anyone be listed as anyone.
fn terminal_name() -> String {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| presence::tty_nr_from_stat(&stat))
        .map_or_else(|| presence::NO_TERMINAL.into(), presence::terminal_from_tty_nr)
}
