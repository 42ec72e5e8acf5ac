//! Adversarial: text a hostile account planted in the shared database (or in
//! a runbook, an import file, a template) must never reach a terminal as raw
//! control bytes. The assertions are on the BYTES the real binary writes: the
//! console's pty output and the CLI's stdout/stderr.
//!
//! What the console legitimately writes was measured on clean runs (which
//! these tests repeat as a baseline): CSI cursor positions `ESC[r;cH`, SGR
//! with attribute codes and `38;5;N`/`48;5;N` colours, and the private modes
//! `?25`, `?1049`, `?2004`; no C0 control at all (not even CR or LF), no OSC,
//! no `ESC[2J`, no relative cursor moves, no `ESC[31m`-style colours.
//! [`violations`] flags anything else. A payload whose raw form looks like a
//! legitimate sequence (`ESC[10;10H`) is caught by its marker: the bytes of
//! the marker followed by the payload's first control character must never
//! occur.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::pty::Console;
use common::{db_in, ok, temp_dir, warroom};

// ---------------------------------------------------------------------------
// Payloads

const LONG_MIX: &str = "long-mix:\x1b]0;t1\x07\x1b]52;c;eA==\x07\x1b[2J\x1b[1;1H\u{9b}31m\u{9d}2;t\u{9c}\
                        one\rtwo\x08\x08\u{202e}rev\u{2066}\u{200b}\u{feff}\0\x7f\x1b[0m:end";

/// Name and raw text of every hostile payload.
const PAYLOADS: &[(&str, &str)] = &[
    ("OSC 0 window title (BEL)", "\x1b]0;pwned\x07"),
    ("OSC 2 window title (ST)", "\x1b]2;pwned\x1b\\"),
    ("OSC 52 clipboard write", "\x1b]52;c;cGF5bG9hZA==\x07"),
    ("CSI 2J clear screen", "\x1b[2J"),
    ("CSI cursor position", "\x1b[10;10H"),
    ("CSI cursor up", "\x1b[A"),
    ("SGR red", "\x1b[31m"),
    ("8-bit CSI (U+009B)", "\u{9b}2J"),
    ("8-bit OSC/ST (U+009D, U+009C)", "\u{9d}0;x\u{9c}"),
    ("lone CR", "abc\rXYZ"),
    ("backspaces", "ab\x08\x08"),
    ("RLO bidi override", "\u{202e}"),
    ("LRI bidi isolate", "\u{2066}"),
    ("zero-width space", "\u{200b}"),
    ("BOM / ZWNBSP", "\u{feff}"),
    ("NUL", "\0"),
    ("DEL", "\x7f"),
    ("long mix", LONG_MIX),
];

/// Harmless stand-ins of the payloads, for the clean baseline runs.
fn benign() -> Vec<String> {
    (0..PAYLOADS.len()).map(|n| format!("ok{n}")).collect()
}

fn hostile() -> Vec<String> {
    PAYLOADS.iter().map(|(_, raw)| raw.to_string()).collect()
}

/// The payloads as warroom can record them: without NUL, which it refuses
/// before either engine sees it (tests/cli.rs, a NUL byte is refused).
fn hostile_recordable() -> Vec<String> {
    hostile().iter().map(|text| text.replace('\0', "")).collect()
}

/// Characters that draw nothing but reorder or hide text.
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{61C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// What a safe display shows for `text`: C0 and DEL as control pictures,
/// C1 and hidden characters as `<U+XXXX>` (the documented contract).
fn stand_in(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap()),
            '\u{7f}' => out.push('\u{2421}'),
            c if ('\u{80}'..='\u{9f}').contains(&c) || is_hidden(c) => {
                out.push_str(&format!("<U+{:04X}>", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether a terminal could act on `c` (or it hides/reorders text).
fn is_dangerous(c: char) -> bool {
    c.is_control() || is_hidden(c)
}

// ---------------------------------------------------------------------------
// Looking at bytes

/// Everything in the console's output that the console never writes for its
/// own drawing: each with the bytes around it.
fn violations(raw: &[u8]) -> Vec<String> {
    let text = match std::str::from_utf8(raw) {
        Ok(text) => text,
        Err(e) => return vec![format!("invalid UTF-8 at byte {}", e.valid_up_to())],
    };
    let context = |at: usize| {
        let from = text.floor_char_boundary(at.saturating_sub(24));
        let to = text.ceil_char_boundary((at + 24).min(text.len()));
        format!("{:?}", &text[from..to])
    };
    let mut found = Vec::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c == '\x1b' {
            match chars.next() {
                Some((_, '[')) => {
                    let mut params = String::new();
                    let mut end = None;
                    for (_, c) in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            end = Some(c);
                            break;
                        }
                        params.push(c);
                    }
                    match end {
                        Some(end) if csi_is_the_consoles_own(&params, end) => {}
                        Some(end) => found.push(format!("CSI {params:?} {end:?} at {}", context(at))),
                        None => found.push(format!("unfinished CSI at {}", context(at))),
                    }
                }
                Some((_, next)) => found.push(format!("ESC {next:?} (OSC/DCS/…) at {}", context(at))),
                None => found.push("a lone ESC at the end".to_string()),
            }
        } else if is_dangerous(c) {
            found.push(format!("U+{:04X} at {}", c as u32, context(at)));
        }
    }
    found
}

/// The CSI sequences crossterm writes for ratatui: `r;cH`, SGR attributes and
/// 256-colour/RGB colours, and three private modes.
fn csi_is_the_consoles_own(params: &str, end: char) -> bool {
    let numbers = |p: &str| {
        !p.is_empty()
            && p.split(';')
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    match end {
        'H' => numbers(params) && params.split(';').count() == 2,
        'h' | 'l' => matches!(params, "?25" | "?1049" | "?2004"),
        'm' if numbers(params) => {
            let mut codes = params.split(';');
            while let Some(code) = codes.next() {
                match code {
                    "38" | "48" | "58" => match codes.next() {
                        Some("5") => {
                            codes.next();
                        }
                        Some("2") => {
                            codes.next();
                            codes.next();
                            codes.next();
                        }
                        _ => return false,
                    },
                    "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | "21" | "22" | "23" | "24"
                    | "25" | "27" | "28" | "29" | "39" | "49" | "59" => {}
                    _ => return false,
                }
            }
            true
        }
        _ => false,
    }
}

/// Everything in CLI output other than text and `\n`.
fn cli_violations(bytes: &[u8]) -> Vec<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return vec![format!("invalid UTF-8 at byte {}", e.valid_up_to())],
    };
    text.char_indices()
        .filter(|&(_, c)| c != '\n' && is_dangerous(c))
        .map(|(at, c)| {
            let from = text.floor_char_boundary(at.saturating_sub(24));
            let to = text.ceil_char_boundary((at + 24).min(text.len()));
            format!("U+{:04X} at {:?}", c as u32, &text[from..to])
        })
        .collect()
}

/// The prefix of a planted string up to and including its first dangerous
/// character: what a leak would write right after the marker.
fn leak_signature(stored: &str) -> Option<&str> {
    let (at, c) = stored.char_indices().find(|&(_, c)| is_dangerous(c))?;
    Some(&stored[..at + c.len_utf8()])
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// What a terminal did beyond drawing, replayed through vt100.
#[derive(Default, Debug)]
struct TerminalEvents {
    titles: Vec<String>,
    icon_names: Vec<String>,
    clipboard: Vec<String>,
    bells: usize,
    oscs: Vec<String>,
    controls: Vec<u8>,
}

impl vt100::Callbacks for TerminalEvents {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn visual_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.icon_names.push(String::from_utf8_lossy(name).into_owned());
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(String::from_utf8_lossy(title).into_owned());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], data: &[u8]) {
        self.clipboard.push(String::from_utf8_lossy(data).into_owned());
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.clipboard.push("paste request".into());
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        self.oscs.push(format!("{params:?}"));
    }
    fn unhandled_control(&mut self, _: &mut vt100::Screen, b: u8) {
        self.controls.push(b);
    }
}

impl TerminalEvents {
    fn replay(raw: &[u8], cols: u16, rows: u16) -> TerminalEvents {
        let size = |n: u16| std::num::NonZeroU16::new(n).unwrap();
        let mut parser =
            vt100::Parser::new_with_callbacks(size(rows), size(cols), 0, TerminalEvents::default());
        parser.process(raw);
        std::mem::take(parser.callbacks_mut())
    }

    fn is_quiet(&self) -> bool {
        self.titles.is_empty()
            && self.icon_names.is_empty()
            && self.clipboard.is_empty()
            && self.bells == 0
            && self.oscs.is_empty()
            && self.controls.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Planting hostile rows as another account would: straight into the file

/// One string planted in one place.
#[derive(Debug, Clone)]
struct Planted {
    place: &'static str,
    payload: usize,
    stored: String,
    /// What the console must show (already cut to what fits), if it shows it.
    visible: Option<String>,
}

impl Planted {
    fn new(place: &'static str, payload: usize, stored: String, room: Option<usize>) -> Planted {
        let visible = room.map(|room| stand_in(&stored).chars().take(room).collect());
        Planted {
            place,
            payload,
            stored,
            visible,
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn open(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("open the database with rusqlite");
    conn.busy_timeout(Duration::from_secs(20)).unwrap();
    conn
}

fn declare(db: &Path, title: &str) -> i64 {
    ok(db, &["declare", title])
        .trim()
        .parse()
        .expect("declare prints the id")
}

/// Items in the built-in runbook's checklist (5 sections and 4 phases of 4).
const CHECKLIST_ITEMS: usize = 36;

/// The main incident, for a 120×40 console: every payload in the timeline
/// (text and author) and the checklist (name and who changed it), three in
/// the title.
fn plant_main(db: &Path, incident: i64, texts: &[String]) -> Vec<Planted> {
    let conn = open(db);
    let now = now_ms();
    let mut planted = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let body = Planted::new("events.text", n, format!("M{n}[{text}]"), Some(30));
        let author = Planted::new("events.author", n, format!("A{n}{text}"), Some(8));
        conn.execute(
            "INSERT INTO events (uuid, incident_id, kind, occurred_at, recorded_at, author, text)
             VALUES (?1, ?2, 'note', ?3, ?3, ?4, ?5)",
            rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                incident,
                now,
                author.stored,
                body.stored
            ],
        )
        .unwrap();
        // The checklist opens on the current phase (the first), its view
        // running from that heading to the end: the last items are the ones
        // on screen. They stay open (reopened by someone), since closed
        // sections fold. At 120 columns a name beside a long account has 12
        // cells before its `…`.
        let position = CHECKLIST_ITEMS - texts.len() + n;
        let name = Planted::new("checklist_items.name", n, format!("K{n}[{text}]"), Some(12));
        let by = Planted::new("checklist_items.changed_by", n, format!("B{n}{text}"), Some(9));
        let changed = conn
            .execute(
                "UPDATE checklist_items SET name = ?1, changed_by = ?2, changed_at = ?3, state = 'open'
                 WHERE incident_id = ?4 AND position = ?5",
                rusqlite::params![name.stored, by.stored, now, incident, position as i64],
            )
            .unwrap();
        assert_eq!(changed, 1, "checklist item at position {position}");
        planted.extend([body, author, name, by]);
    }
    let mut title = Vec::new();
    for n in [0, 6, 11] {
        let part = Planted::new("incidents.title", n, format!("H{n}[{}]", texts[n]), Some(30));
        title.push(part.stored.clone());
        planted.push(part);
    }
    conn.execute(
        "UPDATE incidents SET title = ?1 WHERE id = ?2",
        rusqlite::params![title.join(" "), incident],
    )
    .unwrap();
    planted
}

/// Payloads `chunk` in every other place, for a 200×60 console (the wide
/// layout, where the incident pane is tall): title, commander, declared by,
/// runbook name, timers, roles, presence (never shown), action items, pinned
/// entries.
fn plant_round(db: &Path, incident: i64, chunk: &[usize], texts: &[String]) -> Vec<Planted> {
    let conn = open(db);
    let now = now_ms();
    let mut planted = Vec::new();
    for &n in chunk {
        let text = &texts[n];
        let label = Planted::new("timers.label", n, format!("T{n}[{text}]"), Some(14));
        let started_by = Planted::new("timers.started_by", n, format!("S{n}{text}"), None);
        conn.execute(
            "INSERT INTO timers (uuid, incident_id, label, deadline, started_by, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                incident,
                label.stored,
                now + 2 * 3_600_000,
                started_by.stored,
                now
            ],
        )
        .unwrap();
        let role_name = Planted::new("roles.name", n, format!("N{n}{text}"), Some(11));
        let role_account = Planted::new("roles.account", n, format!("R{n}[{text}]"), Some(20));
        conn.execute(
            "INSERT INTO roles (incident_id, role, name, account, since) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                incident,
                format!("h{n}"),
                role_name.stored,
                role_account.stored,
                now
            ],
        )
        .unwrap();
        // Presence rows that are not well formed are shown to nobody (see
        // attack_member_private): only their raw bytes are looked for.
        let account = Planted::new("presence.account", n, format!("P{n}[{text}]"), None);
        let terminal = Planted::new("presence.terminal", n, format!("t{n}[{text}]"), None);
        conn.execute(
            "INSERT INTO presence (session, account, terminal, incident_id, since, seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            rusqlite::params![
                format!("hostile-{incident}-{n}"),
                account.stored,
                terminal.stored,
                incident,
                now
            ],
        )
        .unwrap();
        let action = Planted::new("action_items.text", n, format!("X{n}[{text}]"), Some(20));
        let owner = Planted::new("action_items.owner", n, format!("O{n}[{text}]"), Some(20));
        let created_by = Planted::new("action_items.created_by", n, format!("C{n}{text}"), None);
        conn.execute(
            "INSERT INTO action_items (uuid, incident_id, text, owner, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                incident,
                action.stored,
                owner.stored,
                created_by.stored,
                now
            ],
        )
        .unwrap();
        let pinned = Planted::new("events.text (pinned)", n, format!("Z{n}[{text}]"), Some(20));
        let pinned_by = Planted::new("events.author (pinned)", n, format!("Y{n}{text}"), Some(8));
        conn.execute(
            "INSERT INTO events (uuid, incident_id, kind, occurred_at, recorded_at, author, text, pinned)
             VALUES (?1, ?2, 'note', ?3, ?3, ?4, ?5, 1)",
            rusqlite::params![
                uuid::Uuid::new_v4().to_string(),
                incident,
                now,
                pinned_by.stored,
                pinned.stored
            ],
        )
        .unwrap();
        planted.extend([
            label,
            started_by,
            role_name,
            role_account,
            account,
            terminal,
            action,
            owner,
            created_by,
            pinned,
            pinned_by,
        ]);
    }
    let first = chunk[0];
    let last = *chunk.last().unwrap();
    let commander = Planted::new(
        "roles.account (ic)",
        first,
        format!("I{first}[{}]", texts[first]),
        Some(20),
    );
    conn.execute(
        "INSERT OR REPLACE INTO roles (incident_id, role, name, account, since)
         VALUES (?1, 'ic', 'Incident Commander', ?2, ?3)",
        rusqlite::params![incident, commander.stored, now],
    )
    .unwrap();
    let declared_by = Planted::new(
        "incidents.declared_by",
        first,
        format!("D{first}{}", texts[first]),
        None,
    );
    let runbook = Planted::new(
        "incidents.runbook_name",
        last,
        format!("U{last}[{}]", texts[last]),
        Some(20),
    );
    let mut title = Vec::new();
    for &n in chunk {
        let part = Planted::new("incidents.title", n, format!("H{n}[{}]", texts[n]), Some(30));
        title.push(part.stored.clone());
        planted.push(part);
    }
    conn.execute(
        "UPDATE incidents SET title = ?1, declared_by = ?2, runbook_name = ?3 WHERE id = ?4",
        rusqlite::params![title.join(" "), declared_by.stored, runbook.stored, incident],
    )
    .unwrap();
    planted.extend([commander, declared_by, runbook]);
    planted
}

/// Chunks of payloads for the wide rounds: the timers pane shows four timers.
fn chunks() -> Vec<Vec<usize>> {
    (0..PAYLOADS.len())
        .collect::<Vec<_>>()
        .chunks(4)
        .map(<[usize]>::to_vec)
        .collect()
}

/// A hostile database: incident 1 for the 120×40 console, then one incident
/// per chunk for the wide rounds. Returns the incidents with what each holds.
fn hostile_database(db: &Path, texts: &[String]) -> Vec<(i64, Vec<Planted>)> {
    let main = declare(db, "main");
    let mut incidents = vec![(main, plant_main(db, main, texts))];
    // Planted around warroom: chained as warroom would, so that this suite
    // sees the text, not the tamper alarm (tests/attack_member_record.rs).
    common::rechain(db);
    for chunk in chunks() {
        let id = declare(db, "round");
        incidents.push((id, plant_round(db, id, &chunk, texts)));
        common::rechain(db);
    }
    incidents
}

/// Keeps the planted presence rows live (a console lists a presence seen in
/// the last 6 s), as a hostile account's own console would.
struct Heartbeat {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Heartbeat {
    fn start(db: &Path) -> Heartbeat {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            let db = db.to_path_buf();
            thread::spawn(move || {
                let conn = open(&db);
                while !stop.load(Ordering::SeqCst) {
                    let _ = conn.execute(
                        "UPDATE presence SET seen_at = ?1 WHERE session LIKE 'hostile-%'",
                        [now_ms()],
                    );
                    thread::sleep(Duration::from_millis(500));
                }
            })
        };
        Heartbeat {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

// ---------------------------------------------------------------------------
// Running the console

/// How long the screen may take to show everything on a loaded machine.
const SHOW_WITHIN: Duration = Duration::from_secs(60);

/// What one console run left behind.
struct Run {
    raw: Vec<u8>,
    /// Expected strings that never showed.
    missing: Vec<String>,
    screen: String,
    cols: u16,
    rows: u16,
}

/// Opens the console (`warroom --db DB ARGS…`), waits until every `expected`
/// string is on one row (or [`SHOW_WITHIN`] passes), lets it redraw a few
/// more times, runs `extra` (keys), quits with `q` and returns every byte.
fn run_console(
    db: &Path,
    args: &[&str],
    cols: u16,
    rows: u16,
    expected: &[String],
    extra: impl FnOnce(&mut Console),
) -> Run {
    let mut console = Console::spawn_with_args(db, args, cols, rows, &[("WARROOM_BELL", "off")]);
    let all_shown = |console: &Console| {
        let rows = console.rows();
        expected
            .iter()
            .filter(|e| !rows.iter().any(|row| row.contains(e.as_str())))
            .cloned()
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + SHOW_WITHIN;
    let mut missing = all_shown(&console);
    while !missing.is_empty() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
        missing = all_shown(&console);
    }
    let screen = console.dump();
    // A few more frames: redraws (diffs) must be as clean as the first one.
    thread::sleep(Duration::from_millis(2200));
    extra(&mut console);
    console.send("q");
    let status = console.wait_exit(Duration::from_secs(30));
    assert!(
        status.success(),
        "the console exited with {status}; the screen:\n{screen}"
    );
    Run {
        raw: console.raw(),
        missing,
        screen,
        cols,
        rows,
    }
}

/// Checks one console run against what was planted; returns the failures and
/// counts the payload×place cases checked.
fn judge(run: &Run, planted: &[Planted], what: &str, cases: &mut usize) -> Vec<String> {
    let mut failures = Vec::new();
    for v in violations(&run.raw) {
        failures.push(format!("{what}: raw output carries {v}"));
    }
    let events = TerminalEvents::replay(&run.raw, run.cols, run.rows);
    if !events.is_quiet() {
        failures.push(format!("{what}: the terminal acted on something: {events:?}"));
    }
    for p in planted {
        if let Some(signature) = leak_signature(&p.stored)
            && contains(&run.raw, signature.as_bytes())
        {
            failures.push(format!(
                "{what}: {} / {}: {signature:?} written raw",
                p.place, PAYLOADS[p.payload].0
            ));
        }
        if p.visible.is_some() {
            *cases += 1;
        }
    }
    for gone in &run.missing {
        let p = planted.iter().find(|p| p.visible.as_ref() == Some(gone));
        let label = p.map_or(String::new(), |p| {
            format!("{} / {}: ", p.place, PAYLOADS[p.payload].0)
        });
        failures.push(format!("{what}: {label}{gone:?} never showed"));
    }
    if !run.missing.is_empty() {
        failures.push(format!("{what}: the screen:\n{}", run.screen));
    }
    failures
}

fn expected(planted: &[Planted]) -> Vec<String> {
    planted.iter().filter_map(|p| p.visible.clone()).collect()
}

fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The scanner itself

#[test]
fn the_scanner_catches_every_payload_written_raw() {
    // The console's own drawing passes …
    let drawing =
        "\x1b[?1049h\x1b[?25l\x1b[1;1H\x1b[38;5;8;49mabc\x1b[0m\x1b[12;40H│ ␛]0;x␇ <U+202E>\x1b[?2004l";
    assert!(
        violations(drawing.as_bytes()).is_empty(),
        "{:?}",
        violations(drawing.as_bytes())
    );
    // … and each payload after its marker is caught, by the scanner or by its
    // marker signature.
    for (n, (name, raw)) in PAYLOADS.iter().enumerate() {
        let stored = format!("M{n}[{raw}]");
        let leaked = format!("{drawing}\x1b[5;5H{stored}\x1b[0m");
        let signature = leak_signature(&stored).expect("every payload has a dangerous character");
        assert!(
            contains(leaked.as_bytes(), signature.as_bytes()),
            "{name}: the signature finds the leak"
        );
        let caught_by_scanner = !violations(leaked.as_bytes()).is_empty();
        assert!(
            caught_by_scanner || *raw == "\x1b[10;10H",
            "{name}: the scanner misses it"
        );
        assert!(
            !cli_violations(stored.as_bytes()).is_empty(),
            "{name}: CLI check misses it"
        );
        // And the stand-in carries none of it.
        let shown = stand_in(&stored);
        assert!(violations(shown.as_bytes()).is_empty() && cli_violations(shown.as_bytes()).is_empty());
    }
}

// ---------------------------------------------------------------------------
// 1. The console

#[test]
fn hostile_rows_written_with_sqlite_never_reach_the_console_raw() {
    let mut failures = Vec::new();
    let mut cases = 0;

    // Baseline: the same shapes with harmless text. Nothing flagged, and the
    // expected strings show, so the hostile assertions below mean something.
    let clean_dir = temp_dir();
    let clean_db = db_in(&clean_dir);
    let clean = hostile_database(&clean_db, &benign());
    let _clean_heartbeat = Heartbeat::start(&clean_db);
    let (main_id, main_planted) = &clean[0];
    let run = run_console(
        &clean_db,
        &[&main_id.to_string()],
        120,
        40,
        &expected(main_planted),
        |_| {},
    );
    let csi = run.raw.windows(2).filter(|w| w == b"\x1b[").count();
    assert!(csi > 200, "the clean console drew with CSI sequences ({csi})");
    let mut ignored = 0;
    assert_no_failures(&judge(&run, main_planted, "clean 120x40", &mut ignored));
    let (round_id, round_planted) = &clean[1];
    let run = run_console(
        &clean_db,
        &[&round_id.to_string()],
        200,
        60,
        &expected(round_planted),
        |_| {},
    );
    assert_no_failures(&judge(&run, round_planted, "clean 200x60", &mut ignored));

    // The hostile file.
    let dir = temp_dir();
    let db = db_in(&dir);
    let incidents = hostile_database(&db, &hostile());
    let _heartbeat = Heartbeat::start(&db);
    let (main_id, main_planted) = &incidents[0];
    let run = run_console(
        &db,
        &[&main_id.to_string()],
        120,
        40,
        &expected(main_planted),
        |_| {},
    );
    failures.extend(judge(&run, main_planted, "120x40 incident 1", &mut cases));
    for (id, planted) in &incidents[1..] {
        let run = run_console(&db, &[&id.to_string()], 200, 60, &expected(planted), |_| {});
        failures.extend(judge(&run, planted, &format!("200x60 incident {id}"), &mut cases));
    }
    eprintln!("console: {cases} payload×place cases checked on screen and in the raw bytes");
    assert_no_failures(&failures);
}

// ---------------------------------------------------------------------------
// 2. The command line

/// Records, per stream, the raw control or hidden characters `out` carries.
fn check_output(label: &str, out: &std::process::Output, failures: &mut Vec<String>) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let found = cli_violations(bytes);
        if let Some(first) = found.first() {
            failures.push(format!(
                "{label} {stream}: {} raw character(s), first {first}",
                found.len()
            ));
        }
    }
}

/// Runs `warroom --db DB ARGS…`, checks stdout and stderr, returns stdout.
fn cli_clean(db: &Path, args: &[&str], failures: &mut Vec<String>) -> String {
    let out = warroom(db)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run warroom");
    check_output(&format!("warroom {args:?}"), &out, failures);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_strings<'a>(value: &'a serde_json::Value, array: &str, field: &str) -> Vec<&'a str> {
    value[array]
        .as_array()
        .unwrap_or_else(|| panic!("{array} is an array"))
        .iter()
        .filter_map(|v| v[field].as_str())
        .collect()
}

#[test]
fn cli_output_carries_no_raw_controls() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let incidents = hostile_database(&db, &hostile());
    let mut failures = Vec::new();
    let mut outputs = 0;
    let mut round_trips = 0;

    for args in [
        &["list"][..],
        &["list", "--json"],
        &["list", "--all"],
        &["list", "--all", "--json"],
        &["action", "list", "--all"],
        &["action", "list", "--all", "--json"],
        &["metrics"],
        &["metrics", "--json"],
        &["doctor"],
    ] {
        cli_clean(&db, args, &mut failures);
        outputs += 1;
    }
    for (id, planted) in &incidents {
        let id = id.to_string();
        for args in [
            &["show", id.as_str()][..],
            &["show", id.as_str(), "--json"],
            &["export", id.as_str()],
            &["export", id.as_str(), "--format", "json"],
            &["export", id.as_str(), "--pinned"],
            &["timer", "list", "--incident", id.as_str()],
            &["action", "list", "--incident", id.as_str()],
            &["action", "list", "--incident", id.as_str(), "--json"],
        ] {
            cli_clean(&db, args, &mut failures);
            outputs += 1;
        }
        // The JSON keeps the exact hostile strings (escaped).
        let show: serde_json::Value =
            serde_json::from_str(&cli_clean(&db, &["show", &id, "--json"], &mut failures))
                .expect("show --json");
        let export: serde_json::Value = serde_json::from_str(&cli_clean(
            &db,
            &["export", &id, "--format", "json"],
            &mut failures,
        ))
        .expect("export --format json");
        let title = show["title"].as_str().unwrap();
        for p in planted {
            let holds = |strings: Vec<&str>| strings.contains(&p.stored.as_str());
            let found = match p.place {
                "incidents.title" => Some(title.contains(&p.stored)),
                "incidents.declared_by" => Some(show["declared_by"] == p.stored.as_str()),
                "incidents.runbook_name" => Some(show["runbook"] == p.stored.as_str()),
                "events.text" | "events.text (pinned)" => {
                    Some(holds(json_strings(&show, "timeline", "text")))
                }
                "events.author" | "events.author (pinned)" => {
                    Some(holds(json_strings(&show, "timeline", "author")))
                }
                "checklist_items.name" => Some(holds(json_strings(&show, "checklist", "name"))),
                "checklist_items.changed_by" => Some(holds(json_strings(&show, "checklist", "changed_by"))),
                "timers.label" => Some(holds(json_strings(&show, "timers", "label"))),
                "timers.started_by" => Some(holds(json_strings(&show, "timers", "started_by"))),
                "roles.name" => Some(holds(json_strings(&show, "roles", "name"))),
                "roles.account" | "roles.account (ic)" => {
                    Some(holds(json_strings(&show, "roles", "account")))
                }
                "action_items.text" => Some(holds(json_strings(&export, "action_items", "text"))),
                "action_items.owner" => Some(holds(json_strings(&export, "action_items", "owner"))),
                "action_items.created_by" => Some(holds(json_strings(&export, "action_items", "created_by"))),
                _ => None, // presence is not part of the record
            };
            match found {
                Some(true) => round_trips += 1,
                Some(false) => failures.push(format!(
                    "incident {id}: {} / {}: {:?} not in the JSON exactly",
                    p.place, PAYLOADS[p.payload].0, p.stored
                )),
                None => {}
            }
        }
        // The text view shows the stand-ins.
        let text = cli_clean(&db, &["show", &id], &mut failures);
        let shown_title = planted
            .iter()
            .filter(|p| p.place == "incidents.title")
            .map(|p| stand_in(&p.stored))
            .collect::<Vec<_>>()
            .join(" ");
        if !text.contains(&shown_title) {
            failures.push(format!(
                "incident {id}: `show` lacks the title stand-in {shown_title:?}:\n{text}"
            ));
        }
    }
    assert!(
        cli_clean(&db, &["show", "1"], &mut failures).contains("H0[␛]0;pwned␇]"),
        "show prints the visible stand-in"
    );
    eprintln!(
        "cli: {outputs} outputs checked, {round_trips} payload×place JSON round trips over {} payloads",
        PAYLOADS.len()
    );
    assert_no_failures(&failures);
}

// ---------------------------------------------------------------------------
// 3. Runbook, import file, template

/// A runbook with a payload in every heading and item it has.
fn hostile_runbook(texts: &[String]) -> String {
    let mut md = format!("# Runbook Q[{}]\n\n", texts[2]);
    for (n, text) in texts.iter().enumerate() {
        md.push_str(&format!(
            "## S{n}[{text}]\n\n- [ ] **J{n}[{text}]**: G{n}[{text}]\n\n"
        ));
    }
    md.push_str(&format!(
        "## Phase 1: F0[{}] F3[{}] F11[{}] (0-15 minutes)\n\n- [ ] **Triage item**: first\n\n",
        texts[0], texts[3], texts[11]
    ));
    md.push_str("## Phase 2: Response (15-60 minutes)\n\n- [ ] **Respond**: second\n\n");
    md.push_str("## Roles\n\n");
    for n in [0, 7, 11] {
        md.push_str(&format!("- **L{n}[{}]**: role {n}\n", texts[n]));
    }
    md.push_str("\n## Escalation\n\n");
    for (level, n) in [(0, 1), (1, 6), (2, 8), (3, 13)] {
        md.push_str(&format!("- **P{level}**: E{n}[{}]\n", texts[n]));
    }
    md
}

fn hostile_import(texts: &[String]) -> String {
    let start = chrono::Utc::now() - chrono::TimeDelta::hours(2);
    let mut lines = String::new();
    for (n, text) in texts.iter().enumerate() {
        let at = start + chrono::TimeDelta::seconds(n as i64);
        lines.push_str(&format!(
            "{} V{n}[{text}]\n",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
    }
    lines
}

/// Every string in `value` (recursively) holding a marker: a tag, digits, `[`.
fn strings_with<'a>(value: &'a serde_json::Value, tags: &[char], into: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => {
            let marked = s.char_indices().any(|(at, c)| {
                let rest = &s[at + c.len_utf8()..];
                let digits = rest.len() - rest.trim_start_matches(|d: char| d.is_ascii_digit()).len();
                tags.contains(&c) && digits > 0 && rest[digits..].starts_with('[')
            });
            if marked {
                into.push(s);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_with(v, tags, into)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings_with(v, tags, into)),
        _ => {}
    }
}

#[test]
fn hostile_runbook_import_and_template() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let texts = hostile_recordable();
    let mut failures = Vec::new();

    // A runbook whose file name, headings and items are payloads.
    let runbook = dir.path().join(format!("W[{}].md", PAYLOADS[0].1));
    std::fs::write(&runbook, hostile_runbook(&texts)).unwrap();
    let declared = warroom(&db)
        .args(["declare", "--runbook"])
        .arg(&runbook)
        .arg("runbook attack")
        .output()
        .unwrap();
    assert!(
        declared.status.success(),
        "declare --runbook: {}",
        String::from_utf8_lossy(&declared.stderr)
    );
    let id = String::from_utf8(declared.stdout).unwrap().trim().to_string();

    // Roles the runbook names, handed over so the console lists them (what
    // `role` itself prints is checked in role_handover_echo_carries_no_raw_controls).
    for n in [0, 7, 11] {
        let out = warroom(&db)
            .args(["role", &format!("L{n}["), &format!("holder{n}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "role L{n}[: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // Lines of a chat log, imported.
    let import = dir.path().join("chat.txt");
    std::fs::write(&import, hostile_import(&texts)).unwrap();
    let imported = cli_clean(
        &db,
        &["import", import.to_str().unwrap(), "--tz", "UTC"],
        &mut failures,
    );
    assert!(
        imported.contains(&format!("imported {}", PAYLOADS.len())),
        "{imported}"
    );

    // What the runbook and the import became, exactly, from the JSON.
    let show: serde_json::Value =
        serde_json::from_str(&cli_clean(&db, &["show", &id, "--json"], &mut failures)).unwrap();
    let mut stored = Vec::new();
    strings_with(&show, &['S', 'J', 'F', 'L', 'V'], &mut stored);
    let runbook_name = format!("W[{}].md", PAYLOADS[0].1);
    assert_eq!(
        show["runbook"],
        runbook_name.as_str(),
        "the runbook's file name, exactly"
    );
    stored.push(&runbook_name);
    let mut descriptions = Vec::new();
    strings_with(&show, &['G'], &mut descriptions);
    for tag in ["J", "S", "V", "G"] {
        let stored = if tag == "G" { &descriptions } else { &stored };
        for n in 0..PAYLOADS.len() {
            let marker = format!("{tag}{n}[");
            if !stored.iter().any(|s| s.contains(&marker)) {
                failures.push(format!("{marker} is not in the incident at all: {stored:?}"));
            }
        }
    }

    // The console (wide, so the whole checklist shows) with the severity
    // picker open to show the escalation triggers.
    let mut expected: Vec<String> = Vec::new();
    for s in &stored {
        let shown = stand_in(s);
        // The first line of each, up to 11 characters (role labels are cut at 12).
        let first = shown
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(11)
            .collect::<String>();
        if !first.is_empty() {
            expected.push(first);
        }
    }
    expected.sort();
    expected.dedup();
    let triggers: Vec<String> = [(1, "E1"), (6, "E6"), (8, "E8"), (13, "E13")]
        .iter()
        .map(|(n, tag)| {
            format!("{tag}[{}", stand_in(&texts[*n]))
                .chars()
                .take(11)
                .collect()
        })
        .collect();
    let mut unseen_triggers = Vec::new();
    let run = run_console(&db, &[&id], 200, 60, &expected, |console| {
        console.send("s");
        let unseen = |console: &Console| {
            let screen = console.screen_text();
            triggers
                .iter()
                .filter(|t| !screen.contains(t.as_str()))
                .cloned()
                .collect::<Vec<_>>()
        };
        let deadline = Instant::now() + SHOW_WITHIN;
        while !unseen(console).is_empty() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
        unseen_triggers = unseen(console);
        if !unseen_triggers.is_empty() {
            unseen_triggers.push(format!("(the picker:\n{})", console.dump()));
        }
        console.send_esc();
        thread::sleep(Duration::from_millis(500));
    });
    let planted: Vec<Planted> = stored
        .iter()
        .map(|s| Planted::new("runbook/import", 0, s.to_string(), None))
        .collect();
    let mut ignored = 0;
    failures.extend(judge(
        &run,
        &planted,
        "console on the runbook incident",
        &mut ignored,
    ));
    for t in unseen_triggers {
        failures.push(format!("severity picker: escalation trigger {t} never showed"));
    }

    // Exports: the built-in template, JSON, and a team's template that itself
    // carries raw control bytes.
    let template = dir.path().join("team.md.j2");
    std::fs::write(
        &template,
        "\x1b]0;x\x07# {{ incident.title }} \x1b[2J\u{9b}1m\u{202e}\n\
         {% for s in checklist %}{{ s.title }}\n{% endfor %}\
         {% for e in timeline %}{{ e.author }} {{ e.text }}\n{% endfor %}\
         {{ incident.runbook }}\n",
    )
    .unwrap();
    let custom = cli_clean(
        &db,
        &["export", &id, "--template", template.to_str().unwrap()],
        &mut failures,
    );
    assert!(
        custom.starts_with("␛]0;x␇# runbook attack ␛[2J<U+009B>1m<U+202E>\n"),
        "{custom}"
    );
    assert!(custom.contains("V17[long-mix:␛]0;t1␇"), "{custom}");
    cli_clean(&db, &["export", &id], &mut failures);
    cli_clean(&db, &["export", &id, "--format", "json"], &mut failures);
    cli_clean(&db, &["show", &id], &mut failures);
    let file = dir.path().join("pm.md");
    cli_clean(
        &db,
        &[
            "export",
            &id,
            "--template",
            template.to_str().unwrap(),
            "--output",
            file.to_str().unwrap(),
        ],
        &mut failures,
    );
    for v in cli_violations(&std::fs::read(&file).unwrap()) {
        failures.push(format!("export --output file: {v}"));
    }
    eprintln!(
        "runbook/import/template: {} hostile strings stored, {} checked on the console screen",
        stored.len(),
        expected.len() + triggers.len()
    );
    assert_no_failures(&failures);
}

// ---------------------------------------------------------------------------
// 4. Error messages

/// Runs `warroom --db DB ARGS…`, checks stdout and stderr, returns stderr.
fn stderr_clean(db: &Path, args: &[&str], failures: &mut Vec<String>) -> String {
    let out = warroom(db).args(args).output().expect("run warroom");
    check_output(&format!("warroom --db {db:?} {args:?}"), &out, failures);
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn an_error_message_cannot_carry_controls() {
    let dir = temp_dir();
    let mut failures = Vec::new();
    let folder: PathBuf = dir.path().join("wr\x1b[2J\x1b]0;pwned\x07");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("warroom.db");

    // No database there yet: the error names the path.
    let err = stderr_clean(&db, &["note", "x"], &mut failures);
    assert!(
        err.starts_with("error:") && err.contains("wr␛[2J␛]0;pwned␇"),
        "{err}"
    );
    // The folder itself as the database.
    let err = stderr_clean(&folder, &["list"], &mut failures);
    assert!(err.starts_with("error:"), "{err}");
    // A file that is not SQLite.
    let junk = folder.join("junk\x1b[A.db");
    std::fs::write(&junk, b"not sqlite \x1b]0;pwned\x07").unwrap();
    let err = stderr_clean(&junk, &["show"], &mut failures);
    assert!(err.starts_with("error:"), "{err}");

    // Malformed runbooks whose faulty lines carry payloads.
    // Malformed runbooks whose faulty lines (and file name) carry payloads;
    // with the stand-in each error message is expected to quote.
    let runbooks = [
        (
            format!("- [ ] J[{}] before any heading\n", PAYLOADS[0].1),
            Some("J[␛]0;pwned␇]"),
        ),
        (
            format!("# R\n\n## Phase 1: F[{}] no window\n\n- [ ] a\n", PAYLOADS[2].1),
            Some("F[␛]52;c;cGF5bG9hZA==␇]"),
        ),
        (
            format!(
                "# R\n\n## Phase 1: Triage ({}0-15 minutes)\n\n- [ ] a\n",
                PAYLOADS[7].1
            ),
            Some("<U+009B>2J0-15"),
        ),
        (
            format!("# R\n\n## S\n\n- [ ] a\n  - [ ] nested {}\n", PAYLOADS[3].1),
            None,
        ),
        (
            format!(
                "# R\n\n- **Frequency**: every {} minutes\n\n## S\n\n- [ ] a\n",
                PAYLOADS[11].1
            ),
            None,
        ),
        (
            format!(
                "# R\n\n## Phase 1: N[{}] (15-5 minutes)\n\n- [ ] a\n",
                PAYLOADS[6].1
            ),
            Some("N[␛[31m]"),
        ),
        (format!("# R {}\n\nno items {}\n", PAYLOADS[1].1, LONG_MIX), None),
    ];
    let other = dir.path().join("other.db");
    for (n, (text, quoted)) in runbooks.iter().enumerate() {
        let path = dir.path().join(format!("bad{n}{}.md", PAYLOADS[0].1));
        std::fs::write(&path, text).unwrap();
        let out = warroom(&other)
            .args(["declare", "--runbook"])
            .arg(&path)
            .arg("x")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success()
                && err.starts_with("error: ")
                && err.contains(&format!("/bad{n}␛]0;pwned␇.md: runbook line ")),
            "runbook {n} ({text:?}) is refused naming its file and line: {err}"
        );
        if let Some(quoted) = quoted {
            assert!(
                err.contains(quoted),
                "runbook {n}: the error quotes {quoted:?}: {err}"
            );
        }
        check_output(&format!("declare --runbook bad{n}…md"), &out, &mut failures);
    }

    // An import file whose unreadable lines carry payloads.
    ok(&other, &["declare", "for import"]);
    let import = dir.path().join("bad-import.txt");
    let bad_lines: String = PAYLOADS
        .iter()
        .map(|(_, raw)| format!("not a time {raw}\n"))
        .collect();
    std::fs::write(&import, bad_lines).unwrap();
    let err = stderr_clean(&other, &["import", import.to_str().unwrap()], &mut failures);
    assert!(err.contains("nothing imported"), "{err}");
    // A template that does not parse, with payloads around the fault.
    let template = dir.path().join("broken.md.j2");
    std::fs::write(
        &template,
        format!("{}{{% for x in %}}{}", PAYLOADS[0].1, PAYLOADS[3].1),
    )
    .unwrap();
    let err = stderr_clean(
        &other,
        &["export", "--template", template.to_str().unwrap()],
        &mut failures,
    );
    assert!(err.contains("template"), "{err}");
    // A checklist query and a role that match nothing (their text is echoed).
    stderr_clean(&other, &["check", PAYLOADS[2].1], &mut failures);
    stderr_clean(&other, &["role", PAYLOADS[0].1, "bob"], &mut failures);

    // The console's start screen names the database too.
    let fresh = folder.join("fresh.db");
    let mut console = Console::spawn(&fresh, 120, 40, &[("WARROOM_BELL", "off")]);
    console.wait_until_within(SHOW_WITHIN, "the start screen", |s| {
        s.contains("Declare an incident")
    });
    let screen = console.dump();
    thread::sleep(Duration::from_millis(1200));
    console.send(b"\x03");
    let status = console.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "{status}");
    let raw = console.raw();
    for v in violations(&raw) {
        failures.push(format!("start screen on a hostile path: {v}"));
    }
    let events = TerminalEvents::replay(&raw, 120, 40);
    if !events.is_quiet() {
        failures.push(format!(
            "start screen: the terminal acted on something: {events:?}"
        ));
    }
    if !screen.contains("wr␛[2J␛]0;pwned␇") {
        failures.push(format!(
            "the start screen does not show the path's stand-in:\n{screen}"
        ));
    }
    assert_no_failures(&failures);
}

// ---------------------------------------------------------------------------
// Echoes outside error messages

/// `warroom role` echoes the role's name (from the runbook) and the account
/// that held it before (from the database).
#[test]
fn role_handover_echo_carries_no_raw_controls() {
    let dir = temp_dir();
    let db = db_in(&dir);
    let texts = hostile_recordable();
    let mut md = String::from("# Roles attack\n\n## S\n\n- [ ] a\n\n## Roles\n\n");
    for (n, text) in texts.iter().enumerate() {
        md.push_str(&format!("- **L{n}[{text}]**: role {n}\n"));
    }
    let runbook = dir.path().join("roles.md");
    std::fs::write(&runbook, md).unwrap();
    let declared = warroom(&db)
        .args(["declare", "--runbook"])
        .arg(&runbook)
        .arg("roles")
        .output()
        .unwrap();
    assert!(
        declared.status.success(),
        "{}",
        String::from_utf8_lossy(&declared.stderr)
    );
    let id: i64 = String::from_utf8(declared.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    let conn = open(&db);
    let mut failures = Vec::new();
    let mut cases = 0;
    for (n, text) in texts.iter().enumerate() {
        // The commander's seat, held by a hostile account (planted in the file).
        conn.execute(
            "INSERT OR REPLACE INTO roles (incident_id, role, name, account, since)
             VALUES (?1, 'ic', 'Incident Commander', ?2, ?3)",
            rusqlite::params![id, format!("I{n}[{text}]"), now_ms()],
        )
        .unwrap();
        let out = warroom(&db)
            .args(["role", "ic", &format!("newcomer{n}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        check_output(
            &format!("role ic after roles.account = I{n}[{}]", PAYLOADS[n].0),
            &out,
            &mut failures,
        );
        cases += 1;
        // A role the runbook names, found by its marker.
        let out = warroom(&db)
            .args(["role", &format!("L{n}["), "holder"])
            .output()
            .unwrap();
        check_output(
            &format!("role L{n}[ (runbook role named with {})", PAYLOADS[n].0),
            &out,
            &mut failures,
        );
        cases += 1;
    }
    eprintln!("role echoes: {cases} payload×place cases");
    assert_no_failures(&failures);
}

/// Commands that report the path they worked on: `init`, `doctor`,
/// `export --output`, with a folder named with control sequences.
#[test]
fn paths_echoed_by_init_doctor_and_export_carry_no_raw_controls() {
    let dir = temp_dir();
    let folder = dir.path().join("wr\x1b[2J\x1b]0;pwned\x07");
    std::fs::create_dir(&folder).unwrap();
    let db = folder.join("warroom.db");
    let mut failures = Vec::new();
    stderr_clean(&db, &["init"], &mut failures);
    stderr_clean(&db, &["declare", "in a hostile folder"], &mut failures);
    stderr_clean(&db, &["doctor"], &mut failures);
    let out = folder.join("pm\x1b]0;pwned\x07.md");
    stderr_clean(&db, &["export", "--output", out.to_str().unwrap()], &mut failures);
    assert_no_failures(&failures);
}
