//! The console drawn off-screen, as `warroom::console` draws it, for the
//! frame benches (`benches/frame.rs`, `benches/history.rs`).

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{App, Event, Snapshot};
use warroom::store::{OpenMode, Store};

/// Opens `db` and loads incident `id` into a console's state, as the
/// console's store worker does before its first frame (the incident and
/// the newest page of its timeline).
pub fn open_app(db: &Path, id: i64, now: DateTime<Utc>) -> App {
    let mut store = Store::open(db, OpenMode::Existing).expect("open the bench database");
    let record = store
        .incident_window(id, warroom::app::WINDOW_PAGE)
        .expect("load the bench incident");
    let mut app = App::new("alice".into(), "bench.db".into(), now);
    app.handle(Event::Snapshot(Box::new(Snapshot::of(Some(record), false))));
    app
}

/// Draws one frame of `app` at `width`×`height`.
pub fn draw_once(app: &App, width: u16, height: u16) {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| warroom::ui::draw(frame, app)).unwrap();
}

/// The mean time to draw `app` at `width`×`height`, drawing for `budget`.
pub fn mean_frame(app: &App, width: u16, height: u16, budget: Duration) -> Duration {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let started = Instant::now();
    let mut frames = 0u32;
    while started.elapsed() < budget {
        terminal.draw(|frame| warroom::ui::draw(frame, app)).unwrap();
        frames += 1;
    }
    started.elapsed() / frames
}
