//! The console drawn at every size from 1×1 to 400×120 for an incident full
//! of text that is hard to lay out: CJK, emoji joined with ZWJ, combining
//! marks, right-to-left scripts, a 10,000-character word and a 100 KB note.
//! No size may panic; from 60×16 up every screen line must be exactly as
//! wide as the terminal and every pane's borders must line up. Then the
//! console is driven: a 100 KB paste into the composer and a storm of
//! resizes, off-screen and in a real pseudo-terminal.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use unicode_width::UnicodeWidthStr;
use warroom::app::{App, Event, Snapshot};
use warroom::domain::presence::Presence;
use warroom::domain::{EntryKind, ItemState, Milestones, Severity};
use warroom::store::{
    Act, IncidentRecord, ItemChange, NewEntry, NewIncident, OpenMode, SeverityChange, Store,
};

const MIN_WIDTH: u16 = 60;
const MIN_HEIGHT: u16 = 16;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

const FAMILY: &str = "👨\u{200D}👩\u{200D}👧\u{200D}👦";
const RAINBOW_FLAG: &str = "🏳\u{FE0F}\u{200D}🌈";
const ZALGO: &str =
    "Z\u{324}\u{354}\u{367}\u{311}\u{343}a\u{308}\u{356}\u{32D}l\u{30C}g\u{32D}\u{35A}o\u{33B}";

/// A 10,000-character word with no place to break: letters, CJK, emoji.
fn long_word() -> String {
    "ab数据🔥".repeat(2000)
}

/// 100 KB of pasted log: long lines, wide characters, joined emoji,
/// combining marks, tabs and stray escape sequences.
fn hundred_kb() -> String {
    let lines = [
        "2026-03-01T14:05:00Z checkout-api ERROR upstream timeout after 30000ms (pool=payments, retries=3)",
        "数据库 replica lag 120s — 切换到备用节点 ✅ 完成",
        FAMILY,
        "\tindented\twith\ttabs and a \u{1b}[2J clear-screen attempt",
        ZALGO,
        "مرحبا بالعالم — שלום עולם — mixed RTL text",
        "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ｱｲｳ ﾃﾞ",
        "",
    ];
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 100 * 1024 {
        text.push_str(lines[n % lines.len()]);
        text.push('\n');
        n += 1;
    }
    text.truncate(text.floor_char_boundary(100 * 1024));
    text
}

/// An incident written through the store, as the console would read it.
fn rich_incident(dir: &tempfile::TempDir) -> IncidentRecord {
    let mut store = Store::open(dir.path().join("w.db"), OpenMode::Create).unwrap();
    store.set_clock(common::fixture_clock);
    common::set_fixture_clock(at("2026-03-01T14:00:00Z"));
    let mut milestones = Milestones::new(at("2026-03-01T14:00:00Z"));
    milestones.detected_at = Some(at("2026-03-01T13:50:00Z"));
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "rich",
            format!("数据库 outage {FAMILY} café e\u{301}\u{302} {RAINBOW_FLAG} Ｆｕｌｌ שלום {ZALGO}"),
            Severity::P1,
            milestones,
            "李雷",
        ))
        .unwrap();
    let word = long_word();
    let big = hundred_kb();
    // The huge entries first: the newest ones, short but hostile, fill the
    // bottom of the timeline; the pinned long word shows in the incident pane.
    let texts: Vec<(EntryKind, &str, String)> = vec![
        (EntryKind::Note, "bob", "PagerDuty: checkout 5xx > 5%".into()),
        (EntryKind::Note, "Zoë", big),
        (
            EntryKind::Decision,
            "bob",
            format!("Roll back {FAMILY}{FAMILY}{FAMILY} deploy 4812"),
        ),
        (EntryKind::Note, "carol", word.clone()),
        (
            EntryKind::StatusUpdate,
            "李雷",
            "数据库故障，正在回滚。下一次更新 14:25。".into(),
        ),
        (
            EntryKind::Note,
            "erin",
            format!("short then {} then end", "x".repeat(300)),
        ),
        (
            EntryKind::Note,
            "🦀crab",
            format!(
                "🇯🇵🇺🇸 flags, ☺\u{FE0E} text, ☺\u{FE0F} emoji, 👍🏽 {}",
                word.chars().take(500).collect::<String>()
            ),
        ),
        (
            EntryKind::Note,
            "مريم",
            "مرحبا — the vendor's status page says degraded".into(),
        ),
        (
            EntryKind::Note,
            "dave",
            format!("{ZALGO} {ZALGO} e\u{301}\u{302}\u{303}\u{304} {RAINBOW_FLAG}"),
        ),
        (
            EntryKind::Note,
            "frank",
            "\u{1b}]0;pwned\u{7} \u{202E}reversed\u{202C} zero\u{200B}width \u{9b}31m".into(),
        ),
    ];
    for (n, (kind, author, text)) in texts.into_iter().enumerate() {
        let when = at("2026-03-01T14:01:00Z") + TimeDelta::minutes(n as i64);
        common::set_fixture_clock(when);
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: format!("entry-{n}"),
                    kind,
                    occurred_at: when,
                    author: author.into(),
                    text,
                    pinned: n % 3 == 0,
                },
            )
            .unwrap();
    }
    for (n, key) in ["1.1", "1.2", "2.1", "p1.1", "p1.2"].into_iter().enumerate() {
        store
            .set_item_state(&ItemChange {
                uuid: &format!("tick-{n}"),
                incident_id: id,
                key,
                state: if n == 2 {
                    ItemState::NotApplicable
                } else {
                    ItemState::Done
                },
                author: "李雷",
                at: at("2026-03-01T14:12:00Z"),
                expected_version: None,
            })
            .unwrap();
    }
    store
        .set_severity(&SeverityChange {
            uuid: "sev",
            incident_id: id,
            severity: Severity::P0,
            reason: &format!("card data exposed {FAMILY} 数据"),
            author: "Zoë",
            at: at("2026-03-01T14:13:00Z"),
            expected_version: None,
        })
        .unwrap();
    // Each act is written down when it happens: the store's clock says so.
    let act = |uuid: &'static str, minute: i64| {
        let when = at("2026-03-01T14:00:00Z") + TimeDelta::minutes(minute);
        common::set_fixture_clock(when);
        Act {
            uuid,
            incident_id: id,
            author: "李雷",
            at: when,
        }
    };
    store
        .assign_role(&act("role-comms", 14), "comms", "Communications Lead", "Zoë数据")
        .unwrap();
    store
        .assign_role(
            &act("role-ops", 14),
            "ops",
            "Operations Lead",
            &format!("ops{FAMILY}"),
        )
        .unwrap();
    store.set_phase(&act("phase", 15), 1, "Response").unwrap();
    for (n, (uuid, minutes, label)) in [
        ("t1", 10, format!("check rollback {FAMILY} 数据库")),
        ("t2", -5, word.chars().take(300).collect::<String>()),
        ("t3", 90, format!("{ZALGO} vendor call")),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .start_timer(
                &act(uuid, 16 + n as i64),
                at("2026-03-01T14:20:00Z") + TimeDelta::minutes(minutes),
                &label,
            )
            .unwrap();
    }
    store
        .add_action(
            &act("action", 18),
            &format!("Alert on lag > 5 min {FAMILY} 数据库"),
            Some("Zoë"),
            Some(at("2026-03-03T00:00:00Z")),
        )
        .unwrap();
    store.incident_record(id).unwrap()
}

fn presence(account: &str, terminal: &str) -> Presence {
    Presence {
        session: format!("{account}-{terminal}"),
        account: account.into(),
        terminal: terminal.into(),
        host: String::new(),
        incident_id: Some(1),
        since: at("2026-03-01T14:01:00Z"),
        seen_at: at("2026-03-01T14:22:00Z"),
    }
}

fn console(record: IncidentRecord) -> App {
    let mut app = App::new(
        "李雷".into(),
        "/srv/warroom/数据库.db".into(),
        at("2026-03-01T14:22:30Z"),
    );
    app.utc_offset = Some(FixedOffset::east_opt(0).unwrap());
    let mut snapshot = Snapshot::of(Some(record), false);
    snapshot.presence = Some(vec![
        presence("李雷", "pts/1"),
        presence(&format!("zoë{FAMILY}"), "pts/数"),
        presence("bob", &"pts/9".repeat(40)),
    ]);
    app.handle(Event::Snapshot(Box::new(snapshot)));
    app
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The rows of a buffer as a terminal shows them: a wide character covers
/// the cells after it.
fn screen_rows(buffer: &Buffer) -> Vec<String> {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            let mut row = String::new();
            let mut covered = 0;
            for x in 0..area.width {
                let symbol = buffer[(x, y)].symbol();
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                row.push_str(symbol);
                covered = symbol.width().saturating_sub(1);
            }
            row
        })
        .collect()
}

/// Problems with how a screen lines up: rows wider or narrower than the
/// terminal, and pane borders that do not run straight down.
fn alignment_problems(buffer: &Buffer, check_borders: bool) -> Vec<String> {
    let area = buffer.area;
    let mut problems = Vec::new();
    for (y, row) in screen_rows(buffer).iter().enumerate() {
        if row.width() != area.width as usize {
            problems.push(format!(
                "row {y} is {} cells wide, not {}: {row:?}",
                row.width(),
                area.width
            ));
        }
    }
    if !check_borders {
        return problems;
    }
    let symbol = |x: u16, y: u16| buffer[(x, y)].symbol();
    let mut panes = 0;
    for y in 0..area.height {
        for x in 0..area.width {
            let (side, bottom) = match symbol(x, y) {
                "┌" => ("left", "└"),
                "┐" => ("right", "┘"),
                _ => continue,
            };
            panes += usize::from(side == "right");
            let mut below = y + 1;
            loop {
                if below >= area.height {
                    problems.push(format!(
                        "the {side} border from ({x},{y}) never reaches its corner"
                    ));
                    break;
                }
                match symbol(x, below) {
                    "│" => below += 1,
                    s if s == bottom => break,
                    s => {
                        problems.push(format!(
                            "the {side} border from ({x},{y}) is broken at row {below} by {s:?}: {:?}",
                            screen_rows(buffer)[below as usize]
                        ));
                        break;
                    }
                }
            }
        }
    }
    if panes < 4 {
        problems.push(format!("only {panes} panes found"));
    }
    problems
}

/// Draws `app` at `width`×`height`; the buffer, or the panic's message.
fn draw(app: &App, width: u16, height: u16) -> Result<Buffer, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| warroom::ui::draw(frame, app)).unwrap();
        terminal.backend().buffer().clone()
    }))
    .map_err(panic_message)
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// Every width with a few heights, every height with a few widths.
fn all_sizes() -> Vec<(u16, u16)> {
    let mut sizes = Vec::new();
    for width in 1..=400 {
        for height in [1, 15, 16, 24, 40] {
            sizes.push((width, height));
        }
    }
    for height in 1..=120 {
        for width in [1, 59, 60, 80, 159, 160, 400] {
            sizes.push((width, height));
        }
    }
    sizes
}

/// Draws at every size; reports panics and misalignment, at most a few of each.
fn sweep(app: &App, sizes: &[(u16, u16)], check_borders: bool) -> (usize, Vec<String>) {
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut problems = Vec::new();
    let mut drawn = 0;
    for &(width, height) in sizes {
        match draw(app, width, height) {
            Err(message) => problems.push(format!("{width}×{height}: panicked: {message}")),
            Ok(buffer) => {
                drawn += 1;
                if width >= MIN_WIDTH && height >= MIN_HEIGHT {
                    for p in alignment_problems(&buffer, check_borders).into_iter().take(3) {
                        problems.push(format!("{width}×{height}: {p}"));
                    }
                }
            }
        }
        if problems.len() > 40 {
            problems.push("… (stopped after 40 problems)".into());
            break;
        }
    }
    std::panic::set_hook(quiet);
    (drawn, problems)
}

#[test]
fn every_size_from_1x1_to_400x120_draws_and_lines_up() {
    let dir = common::temp_dir();
    let app = console(rich_incident(&dir));
    let sizes = all_sizes();
    let started = Instant::now();
    let (drawn, problems) = sweep(&app, &sizes, true);
    eprintln!(
        "{drawn} of {} sizes drawn in {:.2?}",
        sizes.len(),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );

    // The hostile text is on the screen, not lost or escaped into the terminal.
    let rows = screen_rows(&draw(&app, 200, 60).unwrap()).join("\n");
    assert!(rows.contains("数据库"), "{rows}");
    assert!(
        rows.contains("␛]0;pwned␇"),
        "escape sequences show as text:\n{rows}"
    );
}

/// The timeline scrolled back onto the 100 KB note and the long word, with
/// the timeline focused.
#[test]
fn the_huge_entries_scrolled_into_view_line_up() {
    let dir = common::temp_dir();
    let mut app = console(rich_incident(&dir));
    app.handle(key(KeyCode::Tab));
    let mut problems = Vec::new();
    let (mut seen_log, mut seen_word) = (false, false);
    for step in 0..12 {
        for (width, height) in [
            (60, 16),
            (80, 24),
            (100, 30),
            (159, 50),
            (160, 50),
            (237, 71),
            (400, 120),
        ] {
            match draw(&app, width, height) {
                Err(message) => {
                    problems.push(format!("scrolled {step}, {width}×{height}: panicked: {message}"))
                }
                Ok(buffer) => {
                    let screen = screen_rows(&buffer).join("\n");
                    seen_log |= screen.contains("upstream timeout after 30000ms");
                    seen_word |= screen.contains(&"ab数据🔥".repeat(8));
                    for p in alignment_problems(&buffer, true).into_iter().take(2) {
                        problems.push(format!("scrolled {step}, {width}×{height}: {p}"));
                    }
                }
            }
        }
        app.handle(key(KeyCode::PageUp));
        app.handle(key(KeyCode::Char('k')));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        seen_log && seen_word,
        "scrolling back showed the 100 KB note ({seen_log}) and the long word ({seen_word})"
    );
}

/// Every overlay (help, severity picker, command line, search, the composer
/// holding a 100 KB paste, an entry opened whole) at many sizes: no panic, rows as wide as the
/// terminal.
#[test]
fn overlays_and_a_100kb_paste_draw_at_every_width() {
    let dir = common::temp_dir();
    let base = console(rich_incident(&dir));
    let mut sizes = Vec::new();
    for width in (1..=400).step_by(7) {
        for height in [1, 16, 30] {
            sizes.push((width, height));
        }
    }
    for height in (1..=120).step_by(3) {
        sizes.push((80, height));
    }
    sizes.extend([(60, 16), (159, 40), (160, 40), (400, 120)]);
    let paste = hundred_kb();
    let overlays: Vec<(&str, Vec<Event>)> = vec![
        ("help", vec![key(KeyCode::Char('?'))]),
        ("severity picker", vec![key(KeyCode::Char('s'))]),
        (
            "command line",
            vec![key(KeyCode::Char(':')), Event::Paste(long_word())],
        ),
        (
            "search",
            vec![key(KeyCode::Char('/')), Event::Paste(format!("数据 {FAMILY}"))],
        ),
        (
            "composer with a 100 KB paste",
            vec![key(KeyCode::Char('n')), Event::Paste(paste.clone())],
        ),
        (
            "the newest entry opened whole, a page down",
            vec![key(KeyCode::Tab), key(KeyCode::Enter), key(KeyCode::PageDown)],
        ),
        (
            "an older entry opened whole",
            vec![
                key(KeyCode::Tab),
                key(KeyCode::Char('k')),
                key(KeyCode::Char('k')),
                key(KeyCode::Char('k')),
                key(KeyCode::Enter),
            ],
        ),
    ];
    let mut problems = Vec::new();
    for (name, events) in overlays {
        let mut app = base.clone();
        for event in events {
            app.handle(event);
        }
        let started = Instant::now();
        let (drawn, found) = sweep(&app, &sizes, false);
        eprintln!("{name}: {drawn} sizes in {:.2?}", started.elapsed());
        problems.extend(found.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One terminal resized 200 times in a row to random sizes (including
/// 1×1), with the composer open on a 100 KB paste, as a window being dragged.
#[test]
fn a_resize_storm_with_a_100kb_draft_never_panics() {
    let dir = common::temp_dir();
    let mut app = console(rich_incident(&dir));
    app.handle(key(KeyCode::Char('n')));
    let paste = hundred_kb();
    app.handle(Event::Paste(paste.clone()));
    assert!(
        app.note_draft.lines().join("\n").len() >= paste.len() - 16,
        "the whole paste is in the draft"
    );
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut seed: u64 = 0x1234_5678_9ABC_DEF1;
    let mut random = |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    let mut problems = Vec::new();
    let started = Instant::now();
    for round in 0..200 {
        let (width, height) = match round % 10 {
            0 => (1, 1),
            1 => (400, 120),
            _ => (1 + random(400) as u16, 1 + random(120) as u16),
        };
        // Keys between frames, as a responder keeps typing while dragging.
        if round % 25 == 0 {
            app.handle(key(KeyCode::End));
            app.handle(Event::Key(KeyEvent::new(
                KeyCode::Char('j'),
                KeyModifiers::CONTROL,
            )));
            app.handle(key(KeyCode::Char('数')));
        }
        app.handle(Event::Tick(
            at("2026-03-01T14:22:30Z") + TimeDelta::seconds(round),
        ));
        let drawn = catch_unwind(AssertUnwindSafe(|| {
            terminal.backend_mut().resize(width, height);
            terminal.draw(|frame| warroom::ui::draw(frame, &app)).map(|_| ())
        }));
        match drawn {
            Err(panic) => problems.push(format!(
                "round {round}, {width}×{height}: panicked: {}",
                panic_message(panic)
            )),
            Ok(Err(e)) => problems.push(format!("round {round}, {width}×{height}: {e}")),
            Ok(Ok(())) if width >= MIN_WIDTH && height >= MIN_HEIGHT => {
                for p in alignment_problems(terminal.backend().buffer(), false)
                    .into_iter()
                    .take(2)
                {
                    problems.push(format!("round {round}, {width}×{height}: {p}"));
                }
            }
            Ok(Ok(())) => {}
        }
    }
    eprintln!("200 resizes in {:.2?}", started.elapsed());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Esc keeps the draft; the console is still usable.
    app.handle(key(KeyCode::Esc));
    assert!(!app.note_draft.is_empty(), "the draft survived the storm");
    draw(&app, 80, 24).expect("draws after the storm");
}

/// The real binary in a pseudo-terminal: 50 quick resizes between random
/// sizes including 1×1, then back to 100×30; it draws again and quits
/// cleanly.
#[test]
fn the_real_console_survives_50_quick_resizes() {
    let dir = common::temp_dir();
    let db = common::db_in(&dir);
    common::ok(&db, &["declare", "--severity", "P1", "resize storm 数据库 ✅"]);
    common::ok(&db, &["note", &format!("{FAMILY} {ZALGO} {}", long_word())]);
    let state = dir.path().join("state");
    let state = state.to_str().unwrap();
    let mut console = common::pty::Console::spawn(&db, 100, 30, &[("XDG_STATE_HOME", state)]);
    console.wait_for("resize storm");
    let mut seed: u64 = 0xDEAD_BEEF_CAFE_F00D;
    for round in 0..50 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let (cols, rows) = match round % 7 {
            0 => (1, 1),
            1 => (59, 15),
            _ => (1 + (seed % 300) as u16, 1 + ((seed >> 20) % 100) as u16),
        };
        console.resize(cols, rows);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    console.resize(100, 30);
    console.wait_until("the console to draw at 100×30 again", |screen| {
        screen.contains("resize storm") && screen.contains("Timeline") && !screen.contains("too small")
    });
    console.wait_until_stable(std::time::Duration::from_millis(300));
    let rows = console.rows();
    assert_eq!(rows.len(), 30);
    assert!(rows[0].contains("#1"), "{}", console.dump());
    console.send("q");
    let status = console.wait_exit(common::pty::WAIT);
    assert!(
        status.success(),
        "exit status {status}; the screen:\n{}",
        console.dump()
    );
    assert!(!console.alternate_screen(), "the terminal was restored");
}
