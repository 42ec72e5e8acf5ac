//! What a long incident costs, measured on the real release binary: for a P1
//! of 1k, 10k, 100k and 1M timeline entries, the console's first frame in a
//! 120×40 pseudo-terminal (from spawn until the header and the newest entry
//! are on screen) and its memory once the screen has settled (VmRSS, and
//! VmHWM, from /proc); the frame time off-screen; at the largest size, `/`
//! search through the console, and the peak memory of `export` and
//! `show --json` (each a child process, its max RSS from wait4); then the
//! propagation table (`support/propagation.rs`). Prints today's figures beside
//! the goals of issue #14. Run with `cargo bench --bench history`.
//!
//! Settings (environment):
//! * `WARROOM_BENCH_SIZES=1000,10k` — the timeline sizes (default
//!   `1000,10000,100000,1000000`; `k` and `M` suffixes work);
//! * `WARROOM_BENCH_RUNS=5` — console starts per size (the median is shown);
//! * `WARROOM_BENCH_EVENTS=1000` — propagation events per run, `0` skips it;
//! * `WARROOM_BENCH_ROUNDS=3` — propagation rounds of each case, in turn;
//! * `WARROOM_BENCH_DIR` — the one folder for the databases (default
//!   `$TMPDIR/warroom-bench-history`), removed at the end unless
//!   `WARROOM_BENCH_KEEP=1`, in which case the next run reuses them.

#[path = "support/draw.rs"]
mod draw;
#[path = "support/incident.rs"]
mod incident;
#[path = "support/peak.rs"]
mod peak;
#[path = "support/propagation.rs"]
mod propagation;
// The tests' pty driver, reused as is; it finds the binary as `super::BIN`.
#[allow(dead_code)]
#[path = "../tests/common/pty.rs"]
mod pty;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use chrono::Utc;
use pty::Console;

/// The `warroom` binary cargo built with this bench's (release) profile.
const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// The terminal the console runs in, as in the issue.
const COLS: u16 = 120;
const ROWS: u16 = 40;
/// How often the screen is looked at while timing (the tests' pty driver
/// polls every 20 ms, too coarse here).
const POLL: Duration = Duration::from_millis(1);
/// The longest any one console step may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(120);
/// No output for this long counts as a settled screen (the clocks redraw
/// every second).
const QUIET: Duration = Duration::from_millis(300);
/// Counted as settled no sooner than this after the first frame.
const SETTLE_AT_LEAST: Duration = Duration::from_secs(1);
/// Bumped when `support/incident.rs` writes different databases, so a kept
/// folder is not reused across generators.
const GENERATOR_VERSION: u32 = 2;

/// The issue's goals.
const GOAL_FIRST_FRAME_MS: f64 = 50.0;
const GOAL_RSS_MB: f64 = 20.0;
const GOAL_LARGEST_OVER_SMALLEST: f64 = 1.5;
const GOAL_FRAME_MS: f64 = 1.0;
const GOAL_SEARCH_MS: f64 = 50.0;
const GOAL_EXPORT_MB: f64 = 50.0;
const GOAL_PROPAGATION_TIMES: f64 = 3.0;

struct Settings {
    sizes: Vec<usize>,
    runs: usize,
    events: usize,
    dir: PathBuf,
    keep: bool,
}

fn main() {
    if propagation::follow_if_asked() || peak::measure_if_asked() {
        return;
    }
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let folder = BenchFolder::open(&settings.dir, settings.keep);
    println!(
        "warroom history bench: {BIN}\nconsole in a {COLS}x{ROWS} pty, {} start(s) per size (median shown); databases in {}",
        settings.runs,
        folder.path.display()
    );

    let databases: Vec<(usize, BenchDb)> = settings
        .sizes
        .iter()
        .map(|&entries| (entries, BenchDb::ready(&folder.path, entries)))
        .collect();

    // The first start after a build reads the binary from disk; not counted.
    let (smallest, smallest_db) = databases.first().expect("at least one size");
    let started = Instant::now();
    let mut console = start_console(&folder.path, smallest_db);
    wait_first_frame(&console, *smallest, started);
    quit(&mut console);

    println!();
    println!(
        "{:>9} | {:>12} {:>15} | {:>10} {:>10} | {:>14}",
        "entries", "first frame", "(min–max)", "RSS", "peak RSS", "frame 120x40"
    );
    let mut rows = Vec::new();
    for (entries, db) in &databases {
        let row = measure_size(&folder.path, db, *entries, settings.runs);
        println!(
            "{:>9} | {:>9.1} ms {:>15} | {:>7.1} MB {:>7.1} MB | {:>11.3} ms",
            thousands(*entries),
            row.first_frame_ms,
            format!("({:.1}–{:.1})", row.first_frame_min_ms, row.first_frame_max_ms),
            row.rss_mb,
            row.hwm_mb,
            row.frame_ms,
        );
        rows.push((*entries, row));
    }

    let (largest, largest_db) = databases.last().expect("at least one size");
    println!();
    let searches = measure_search(&folder.path, largest_db, *largest);
    println!();
    let exports = measure_exports(&folder.path, largest_db, *largest);

    let ratios = if settings.events > 0 {
        println!();
        propagation::run(settings.events)
    } else {
        Vec::new()
    };

    println!();
    print_goals(&rows, &searches, &exports, &ratios);
    folder.finish();
}

impl Settings {
    fn from_env() -> Result<Settings, String> {
        let sizes = match std::env::var("WARROOM_BENCH_SIZES") {
            Ok(list) => parse_sizes(&list)?,
            Err(_) => vec![1_000, 10_000, 100_000, 1_000_000],
        };
        let number = |name: &str, default: usize, least: usize| -> Result<usize, String> {
            match std::env::var(name) {
                Ok(value) => value
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= least)
                    .ok_or_else(|| format!("{name}={value:?}: expected a whole number, at least {least}")),
                Err(_) => Ok(default),
            }
        };
        Ok(Settings {
            sizes,
            runs: number("WARROOM_BENCH_RUNS", 5, 1)?,
            events: propagation::events_from_env(),
            dir: std::env::var_os("WARROOM_BENCH_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("warroom-bench-history")),
            keep: std::env::var("WARROOM_BENCH_KEEP").is_ok_and(|v| v == "1"),
        })
    }
}

/// `1000,10k,1M` → sizes in ascending order.
fn parse_sizes(list: &str) -> Result<Vec<usize>, String> {
    let mut sizes = Vec::new();
    for item in list.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let (digits, factor) = match item.strip_suffix(['k', 'K']) {
            Some(digits) => (digits, 1_000),
            None => match item.strip_suffix('M') {
                Some(digits) => (digits, 1_000_000),
                None => (item, 1),
            },
        };
        let size = digits
            .replace('_', "")
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_mul(factor))
            .filter(|n| (2..=50_000_000).contains(n))
            .ok_or_else(|| {
                format!("WARROOM_BENCH_SIZES: {item:?} is not a size from 2 to 50M (like 1000, 10k, 1M)")
            })?;
        sizes.push(size);
    }
    if sizes.is_empty() {
        return Err("WARROOM_BENCH_SIZES is empty (like 1000,10k,1M)".into());
    }
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

/// The one folder holding the databases; removed at the end (or on a
/// panic) unless kept.
struct BenchFolder {
    path: PathBuf,
    keep: bool,
}

impl BenchFolder {
    fn open(path: &Path, keep: bool) -> BenchFolder {
        std::fs::create_dir_all(path.join("state")).expect("create the bench folder");
        std::fs::create_dir_all(path.join("config")).expect("create the bench folder");
        BenchFolder {
            path: path.to_path_buf(),
            keep,
        }
    }

    fn finish(self) {
        if self.keep {
            println!(
                "\nkept {} ({}) for the next run",
                self.path.display(),
                megabytes(folder_bytes(&self.path))
            );
        }
    }
}

impl Drop for BenchFolder {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn folder_bytes(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => folder_bytes(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// A bench database and its incident.
struct BenchDb {
    path: PathBuf,
    id: i64,
}

impl BenchDb {
    /// The cached database of `entries`, built first when missing or left
    /// half-built (no marker).
    fn ready(folder: &Path, entries: usize) -> BenchDb {
        let path = folder.join(format!("history-{entries}.db"));
        let marker = folder.join(format!("history-{entries}.db.built"));
        let expected = format!("generator {GENERATOR_VERSION}, entries {entries}, incident ");
        if let Some(id) = std::fs::read_to_string(&marker)
            .ok()
            .and_then(|text| text.strip_prefix(&expected)?.trim().parse().ok())
            .filter(|_| path.exists())
        {
            println!("{:>9} entries: cached", thousands(entries));
            return BenchDb { path, id };
        }
        for stale in [
            &marker,
            &path,
            &side_file(&path, "-wal"),
            &side_file(&path, "-shm"),
        ] {
            let _ = std::fs::remove_file(stale);
        }
        let started = Instant::now();
        let id = incident::build(&path, entries);
        let took = started.elapsed();
        std::fs::write(&marker, format!("{expected}{id}\n")).expect("write the build marker");
        println!(
            "{:>9} entries: built in {:.1} s with add_entries in batches ({})",
            thousands(entries),
            took.as_secs_f64(),
            megabytes(std::fs::metadata(&path).map_or(0, |m| m.len()))
        );
        BenchDb { path, id }
    }
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// One size's figures.
struct SizeRow {
    first_frame_ms: f64,
    first_frame_min_ms: f64,
    first_frame_max_ms: f64,
    rss_mb: f64,
    hwm_mb: f64,
    frame_ms: f64,
}

fn measure_size(folder: &Path, db: &BenchDb, entries: usize, runs: usize) -> SizeRow {
    let mut first_frames = Vec::new();
    let mut rss = Vec::new();
    let mut hwm = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let mut console = start_console(folder, db);
        first_frames.push(wait_first_frame(&console, entries, started));
        settle(
            &console,
            started + first_frames.last().copied().unwrap_or_default(),
        );
        let memory = Memory::of(console.pid());
        rss.push(memory.rss_kb);
        hwm.push(memory.hwm_kb);
        quit(&mut console);
    }
    first_frames.sort_unstable();
    let app = draw::open_app(&db.path, db.id, Utc::now());
    let frame = draw::mean_frame(&app, COLS, ROWS, Duration::from_secs(2));
    SizeRow {
        first_frame_ms: ms(median(&first_frames)),
        first_frame_min_ms: ms(first_frames[0]),
        first_frame_max_ms: ms(first_frames[first_frames.len() - 1]),
        rss_mb: median(&rss) as f64 / 1024.0,
        hwm_mb: median(&hwm) as f64 / 1024.0,
        frame_ms: ms(frame),
    }
}

/// `warroom --db DB` in a 120×40 pty, its state and config in the bench
/// folder (no log or draft of the bench lands in the caller's home).
fn start_console(folder: &Path, db: &BenchDb) -> Console {
    let state = folder.join("state");
    let config = folder.join("config");
    Console::spawn(
        &db.path,
        COLS,
        ROWS,
        &[
            ("XDG_STATE_HOME", state.to_str().expect("a UTF-8 bench folder")),
            ("XDG_CONFIG_HOME", config.to_str().expect("a UTF-8 bench folder")),
            ("WARROOM_BELL", "off"),
        ],
    )
}

/// Waits until the header (the incident's title on the first row) and the
/// newest entry are on screen; returns the time since `started`.
fn wait_first_frame(console: &Console, entries: usize, started: Instant) -> Duration {
    let title = incident::title(entries);
    let newest = incident::newest_text(entries);
    wait_for_screen(console, started, "the first frame", |rows| {
        rows.first().is_some_and(|header| header.contains(&title))
            && rows.iter().any(|row| row.contains(&newest))
    })
}

/// Polls the screen every [`POLL`] until `done`; returns the time since
/// `started`. Gives up (with the screen) after [`PATIENCE`].
fn wait_for_screen(
    console: &Console,
    started: Instant,
    what: &str,
    done: impl Fn(&[String]) -> bool,
) -> Duration {
    loop {
        if done(&console.rows()) {
            return started.elapsed();
        }
        if started.elapsed() > PATIENCE {
            panic!("no {what} after {PATIENCE:?}; the screen:\n{}", console.dump());
        }
        thread::sleep(POLL);
    }
}

/// Waits until at least [`SETTLE_AT_LEAST`] after `first_frame_at` and
/// then for the console to be quiet for [`QUIET`].
fn settle(console: &Console, first_frame_at: Instant) {
    thread::sleep((first_frame_at + SETTLE_AT_LEAST).saturating_duration_since(Instant::now()));
    console.wait_until_stable(QUIET);
}

fn quit(console: &mut Console) {
    console.send("q");
    console.wait_exit(PATIENCE);
}

/// A process's memory from /proc/PID/status.
struct Memory {
    rss_kb: u64,
    hwm_kb: u64,
}

impl Memory {
    fn of(pid: u32) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .unwrap_or_else(|e| panic!("cannot read /proc/{pid}/status: {e}"));
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
        };
        Memory {
            rss_kb: field("VmRSS:"),
            hwm_kb: field("VmHWM:"),
        }
    }
}

/// One `/` search through the console.
struct Search {
    word: &'static str,
    matches: String,
    ms: f64,
}

/// `/` search as the console does it today (a scan of the timeline it
/// holds): from Enter until the console says how many entries match, with
/// the hits drawn in the same frame.
fn measure_search(folder: &Path, db: &BenchDb, entries: usize) -> Vec<Search> {
    println!(
        "search with / in the console, {} entries (from Enter to the first page of hits):",
        thousands(entries)
    );
    let started = Instant::now();
    let mut console = start_console(folder, db);
    let first = wait_first_frame(&console, entries, started);
    settle(&console, started + first);
    let mut searches = Vec::new();
    for word in [incident::COMMON_WORD, incident::RARE_WORD] {
        console.send("/");
        console.wait_until_stable(QUIET);
        console.send(word);
        console.wait_until_stable(QUIET);
        let said = format!("entries match {word:?}");
        let sent = Instant::now();
        console.send("\r");
        let took = wait_for_screen(&console, sent, "search result", |rows| {
            rows.iter().any(|row| row.contains(&said))
        });
        let matches = console
            .row_with(&said)
            .and_then(|row| {
                let before = &row[..row.find(&said)?];
                before.split_whitespace().last().map(str::to_string)
            })
            .unwrap_or_else(|| "?".into());
        println!("  {word:<10} {matches:>8} matches in {:>8.1} ms", ms(took));
        searches.push(Search {
            word,
            matches,
            ms: ms(took),
        });
        console.wait_until_stable(QUIET);
    }
    let memory = Memory::of(console.pid());
    println!(
        "  the console afterwards: RSS {:.1} MB, peak {:.1} MB",
        memory.rss_kb as f64 / 1024.0,
        memory.hwm_kb as f64 / 1024.0
    );
    quit(&mut console);
    searches
}

/// One command run as a child process.
struct Run {
    what: String,
    seconds: f64,
    peak_mb: f64,
    output_bytes: u64,
}

/// `export` (Markdown and JSON) and `show --json` of the largest incident,
/// each writing to a file in the bench folder (removed after).
fn measure_exports(folder: &Path, db: &BenchDb, entries: usize) -> Vec<Run> {
    println!(
        "commands on {} entries (peak RSS from wait4):",
        thousands(entries)
    );
    let id = db.id.to_string();
    let mut runs = Vec::new();
    for args in [
        vec!["export", id.as_str()],
        vec!["export", id.as_str(), "--format", "json"],
        vec!["show", id.as_str(), "--json"],
    ] {
        let run = run_child(folder, db, &args);
        println!(
            "  {:<22} {:>6.2} s  peak {:>7.1} MB  output {}",
            run.what,
            run.seconds,
            run.peak_mb,
            megabytes(run.output_bytes)
        );
        runs.push(run);
    }
    runs
}

/// Runs `warroom --db DB ARGS…` with its output in a file; its peak RSS as
/// `support/peak.rs` measures it.
fn run_child(folder: &Path, db: &BenchDb, args: &[&str]) -> Run {
    let output = folder.join("command-output");
    let errors = folder.join("command-errors");
    let peak_file = folder.join("command-peak");
    let started = Instant::now();
    let status = peak::measured(BIN, &peak_file)
        .arg("--db")
        .arg(&db.path)
        .args(args)
        .env_remove("WARROOM_DB")
        .env("TZ", "UTC")
        .env("XDG_STATE_HOME", folder.join("state"))
        .env("XDG_CONFIG_HOME", folder.join("config"))
        .stdin(Stdio::null())
        .stdout(File::create(&output).expect("create the output file"))
        .stderr(File::create(&errors).expect("create the errors file"))
        .status()
        .expect("start warroom");
    let seconds = started.elapsed().as_secs_f64();
    let peak_mb = peak::peak_mb(&peak_file);
    // Named without the id, which is always the bench incident's.
    let what = args
        .iter()
        .filter(|arg| **arg != db.id.to_string())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        status.success(),
        "{what} failed ({status}): {}",
        std::fs::read_to_string(&errors).unwrap_or_default()
    );
    let output_bytes = std::fs::metadata(&output).map_or(0, |m| m.len());
    let _ = std::fs::remove_file(&output);
    let _ = std::fs::remove_file(&errors);
    Run {
        what,
        seconds,
        peak_mb,
        output_bytes,
    }
}

/// Today's figures beside the issue's goals.
fn print_goals(
    rows: &[(usize, SizeRow)],
    searches: &[Search],
    exports: &[Run],
    ratios: &[propagation::Ratio],
) {
    let (smallest, small) = rows.first().expect("a size");
    let (largest, large) = rows.last().expect("a size");
    let worst_first = rows.iter().map(|(_, row)| row.first_frame_ms).fold(0.0, f64::max);
    let worst_rss = rows.iter().map(|(_, row)| row.rss_mb).fold(0.0, f64::max);
    let largest = thousands(*largest);
    let smallest = thousands(*smallest);
    let mut lines: Vec<(String, String, String, bool)> = vec![
        (
            "first frame, worst size".into(),
            format!("{worst_first:.1} ms"),
            format!("< {GOAL_FIRST_FRAME_MS} ms"),
            worst_first < GOAL_FIRST_FRAME_MS,
        ),
        (
            "settled RSS, worst size".into(),
            format!("{worst_rss:.1} MB"),
            format!("< {GOAL_RSS_MB} MB"),
            worst_rss < GOAL_RSS_MB,
        ),
        (
            format!("first frame {largest} / {smallest}"),
            format!("{:.1}x", large.first_frame_ms / small.first_frame_ms),
            format!("<= {GOAL_LARGEST_OVER_SMALLEST}x"),
            large.first_frame_ms / small.first_frame_ms <= GOAL_LARGEST_OVER_SMALLEST,
        ),
        (
            format!("frame at {largest} ({COLS}x{ROWS})"),
            format!("{:.3} ms", large.frame_ms),
            format!("< {GOAL_FRAME_MS} ms"),
            large.frame_ms < GOAL_FRAME_MS,
        ),
    ];
    for search in searches {
        lines.push((
            format!("search {:?} at {largest}, {} found", search.word, search.matches),
            format!("{:.1} ms", search.ms),
            format!("< {GOAL_SEARCH_MS} ms"),
            search.ms < GOAL_SEARCH_MS,
        ));
    }
    for run in exports {
        lines.push((
            format!("{} peak at {largest}", run.what),
            format!("{:.1} MB", run.peak_mb),
            format!("< {GOAL_EXPORT_MB} MB"),
            run.peak_mb < GOAL_EXPORT_MB,
        ));
    }
    for ratio in ratios {
        lines.push((
            format!("propagation p99, {} follower(s)", ratio.followers),
            format!("{:.1}x tail -f", ratio.times()),
            format!("<= {GOAL_PROPAGATION_TIMES}x"),
            ratio.times() <= GOAL_PROPAGATION_TIMES,
        ));
    }
    println!(
        "{:<46} | {:>14} | {:>10} | met",
        "goal (issue #14)", "today", "goal"
    );
    for (what, today, goal, met) in lines {
        println!(
            "{what:<46} | {today:>14} | {goal:>10} | {}",
            if met { "yes" } else { "no" }
        );
    }
}

fn median<T: Copy + Ord>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// 1000000 → 1,000,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
