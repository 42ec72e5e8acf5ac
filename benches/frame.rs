//! Frame render time: the whole console drawn into an off-screen buffer, for
//! timelines of several lengths at two terminal sizes; and, on the largest
//! database, the time from opening the file to the first frame and the peak
//! memory of this process. Prints figures; run with `cargo bench --bench frame`.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Event, Snapshot};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let declared: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-03-01T14:00:00Z")
        .unwrap()
        .into();
    println!(
        "{:>8} {:>9} {:>12} {:>12}",
        "entries", "size", "mean/frame", "frames/s"
    );
    let mut first_frame = None;
    for entries in [100usize, 10_000, 100_000] {
        let db = dir.path().join(format!("bench-{entries}.db"));
        let mut store = Store::open(&db, OpenMode::Create).unwrap();
        let id = store
            .declare(&NewIncident::with_default_runbook(
                format!("bench-{entries}"),
                "Benchmark incident",
                Severity::P1,
                Milestones::new(declared),
                "alice",
            ))
            .unwrap();
        let notes: Vec<NewEntry> = (0..entries)
            .map(|n| NewEntry {
                uuid: format!("e{n}"),
                kind: EntryKind::Note,
                occurred_at: declared + TimeDelta::seconds(n as i64),
                author: ["alice", "bob", "carol"][n % 3].into(),
                text: format!(
                    "note {n}: checked the dashboards, error rate steady at {}%",
                    n % 7
                ),
                pinned: n % 50 == 0,
            })
            .collect();
        store.add_entries(id, &notes).unwrap();
        drop(store);

        // Opening the file to the first frame, as the console does it.
        let started = Instant::now();
        let mut store = Store::open(&db, OpenMode::Existing).unwrap();
        let record = store.incident_record(id).unwrap();
        let mut app = App::new(
            "alice".into(),
            "bench.db".into(),
            declared + TimeDelta::minutes(20),
        );
        app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(record), false))));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal.draw(|frame| warroom::ui::draw(frame, &app)).unwrap();
        if entries == 100_000 {
            first_frame = Some(started.elapsed());
        }
        for (width, height) in [(80u16, 24u16), (200, 60)] {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let started = Instant::now();
            let mut frames = 0u32;
            while started.elapsed() < Duration::from_secs(2) {
                terminal.draw(|frame| warroom::ui::draw(frame, &app)).unwrap();
                frames += 1;
            }
            let mean = started.elapsed() / frames;
            println!(
                "{entries:>8} {:>9} {:>9.3} ms {:>12.0}",
                format!("{width}x{height}"),
                mean.as_secs_f64() * 1000.0,
                1.0 / mean.as_secs_f64()
            );
        }
    }
    if let Some(first) = first_frame {
        println!(
            "open a 100,000-entry database to the first frame: {:.1} ms",
            first.as_secs_f64() * 1000.0
        );
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM")).map(str::to_string))
        .unwrap_or_default();
    println!("peak memory of this process (all three databases loaded in turn): {peak}");
}
