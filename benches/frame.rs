//! Frame render time: the whole console drawn into an off-screen buffer, for
//! timelines of several lengths at two terminal sizes; and, on the largest
//! database, the time from opening the file to the first frame and the peak
//! memory of this process. Prints figures; run with `cargo bench --bench frame`.
//! (`cargo bench --bench history` draws the 1,000,000-entry timeline too.)

#[path = "support/draw.rs"]
mod draw;
#[path = "support/incident.rs"]
mod incident;

use std::time::{Duration, Instant};

use chrono::Utc;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "{:>8} {:>9} {:>12} {:>12}",
        "entries", "size", "mean/frame", "frames/s"
    );
    let mut first_frame = None;
    for entries in [100usize, 10_000, 100_000] {
        let db = dir.path().join(format!("bench-{entries}.db"));
        let id = incident::build(&db, entries);

        // Opening the file to the first frame, as the console does it.
        let started = Instant::now();
        let app = draw::open_app(&db, id, Utc::now());
        draw::draw_once(&app, 80, 24);
        if entries == 100_000 {
            first_frame = Some(started.elapsed());
        }
        for (width, height) in [(80u16, 24u16), (200, 60)] {
            let mean = draw::mean_frame(&app, width, height, Duration::from_secs(2));
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
