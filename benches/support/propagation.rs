//! Propagation latency between processes: from the moment a writer's commit
//! returns to the moment other processes have applied the new entry, with 1
//! and with 10 followers, beside the same measurement for `tail -f` following
//! an appended text file (the inotify floor a shared-log workaround gets).
//! A follower can apply an entry before the writer's commit call returns
//! (SQLite makes it visible before the fsync finishes); that counts as 0.
//! The time from the start of the write (including the durable commit) is
//! printed too.
//!
//! The machine is shared and its load moves: each case runs in rounds,
//! warroom and `tail -f` in turn, and each figure is over the samples of
//! every round, so both meet the same conditions.
//!
//! Followers are the running bench binary re-run in follower mode, each
//! running the console's own store worker headless (folder watch,
//! `data_version`, quick re-checks, fallback poll, presence heartbeats,
//! incremental loads) and stamping each entry when the worker's snapshot
//! carrying it arrives. Shared by `benches/propagation.rs` and
//! `benches/history.rs`; a bench using it calls [`follow_if_asked`] first.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::Utc;
use warroom::app::{Event, IncidentData};
use warroom::console::worker::Worker;
use warroom::domain::presence::Presence;
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{Location, NewEntry, NewIncident, OpenMode, Store};

const FOLLOWER_ENV: &str = "WARROOM_BENCH_FOLLOWER";
/// Time between two writes: far faster than people type, slow enough that
/// each event's latency is measured on its own.
const PACE: Duration = Duration::from_millis(4);

fn micros_now() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_micros()
}

/// The number of events per run: `WARROOM_BENCH_EVENTS`, else 1,000.
pub fn events_from_env() -> usize {
    std::env::var("WARROOM_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Rounds of each case: `WARROOM_BENCH_ROUNDS`, else 3.
fn rounds_from_env() -> usize {
    std::env::var("WARROOM_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1)
}

/// In a follower process (started by [`run`]): follows and returns true.
pub fn follow_if_asked() -> bool {
    match std::env::var(FOLLOWER_ENV) {
        Ok(database) => {
            follow(&database);
            true
        }
        Err(_) => false,
    }
}

/// p99 latency from the commit, in ms, with `followers` followers.
pub struct Ratio {
    pub followers: usize,
    pub warroom_p99: f64,
    pub tail_p99: f64,
}

impl Ratio {
    pub fn times(&self) -> f64 {
        self.warroom_p99 / self.tail_p99.max(0.001)
    }
}

/// Measures warroom and `tail -f` with 1 and 10 followers, printing the
/// table and the p99 ratios; returns the ratios.
pub fn run(events: usize) -> Vec<Ratio> {
    let dir = tempfile::tempdir().unwrap();
    let rounds = rounds_from_env();
    println!(
        "propagation latency, {events} events per run, one write every {PACE:?}, {rounds} round(s) of each, in turn"
    );
    print_header();
    let mut ratios = Vec::new();
    for followers in [1usize, 10] {
        let mut warroom = Samples::default();
        let mut tail = Samples::default();
        for round in 0..rounds {
            let file = dir.path().join(format!("w{followers}-{round}.db"));
            warroom.add(run_warroom(&file.to_string_lossy(), followers, events));
            tail.add(run_tail(
                &dir.path().join(format!("t{followers}-{round}.log")),
                followers,
                events,
            ));
        }
        let warroom_p99 = warroom.report(&format!("warroom, {followers} follower(s)"));
        let tail_p99 = tail.report(&format!("tail -f, {followers} follower(s)"));
        ratios.push(Ratio {
            followers,
            warroom_p99,
            tail_p99,
        });
    }
    for ratio in &ratios {
        println!(
            "p99 warroom / tail -f, {} follower(s): {:.2} ms / {:.2} ms = {:.1}x",
            ratio.followers,
            ratio.warroom_p99,
            ratio.tail_p99,
            ratio.times()
        );
    }
    ratios
}

fn print_header() {
    println!(
        "{:<32} {:>8} {:>8} {:>8}   {:>13}   CPU per follower per event, by round",
        "", "p50 ms", "p99 ms", "max ms", "p99 from start"
    );
}

/// The same with the record on a PostgreSQL server (on this host, over its
/// Unix socket: each follower also holds a LISTEN connection, and the
/// server's own processes share the cores): a fresh database from
/// `database` for each run. No goal is set for it; printed to compare.
#[allow(dead_code)] // the history bench, which shares this file, leaves it out
pub fn run_postgres(events: usize, mut database: impl FnMut() -> String) {
    let rounds = rounds_from_env();
    println!("\nthe same on PostgreSQL (this host, Unix socket), {rounds} round(s):");
    print_header();
    for followers in [1usize, 10] {
        let mut warroom = Samples::default();
        for _ in 0..rounds {
            warroom.add(run_warroom(&database(), followers, events));
        }
        warroom.report(&format!("warroom, {followers} follower(s)"));
    }
}

/// When each write started and when it returned, in µs since the epoch.
#[derive(Default)]
struct Writes {
    started: Vec<u128>,
    returned: Vec<u128>,
}

/// What one run gave: the writes, each follower's (sequence, applied at),
/// and the CPU every follower used over it.
struct Run {
    writes: Writes,
    applied: Vec<(usize, u128)>,
    cpu_per_event: Duration,
}

/// Latencies (µs) pooled over rounds.
#[derive(Default)]
struct Samples {
    from_commit: Vec<u128>,
    from_start: Vec<u128>,
    cpu_per_event: Vec<Duration>,
}

impl Samples {
    fn add(&mut self, run: Run) {
        for (n, at) in run.applied {
            self.from_commit.push(at.saturating_sub(run.writes.returned[n]));
            self.from_start.push(at.saturating_sub(run.writes.started[n]));
        }
        self.cpu_per_event.push(run.cpu_per_event);
    }

    /// Prints p50/p99/max from commit, p99 from start and the CPU per
    /// follower per event of each round; returns p99 from commit in ms.
    fn report(mut self, label: &str) -> f64 {
        self.from_commit.sort_unstable();
        self.from_start.sort_unstable();
        let at = |s: &[u128], q: f64| s[((s.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
        let cpu: Vec<String> = self
            .cpu_per_event
            .iter()
            .map(|c| format!("{:.0}", c.as_secs_f64() * 1e6))
            .collect();
        println!(
            "{label:<32} {:>8.2} {:>8.2} {:>8.2}   {:>10.2} ms   {} µs  ({} samples)",
            at(&self.from_commit, 0.5),
            at(&self.from_commit, 0.99),
            at(&self.from_commit, 1.0),
            at(&self.from_start, 0.99),
            cpu.join(" / "),
            self.from_commit.len()
        );
        at(&self.from_commit, 0.99)
    }
}

/// `database` as the `--db` argument names it: a file, or a server's URL.
fn location(database: &str) -> Location {
    Location::parse(PathBuf::from(database)).expect("a database location")
}

fn run_warroom(database: &str, followers: usize, events: usize) -> Run {
    let mut store = Store::open(location(database), OpenMode::Create).unwrap();
    let id = store
        .declare(&NewIncident::with_default_runbook(
            "bench",
            "propagation",
            Severity::P1,
            Milestones::new(Utc::now()),
            "bench",
        ))
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<Child> = (0..followers)
        .map(|_| {
            Command::new(&exe)
                .env(FOLLOWER_ENV, database)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut writes = Writes::default();
    let (applied, cpu_per_event) = collect(children, events, || {
        // Wait until every follower has loaded the incident once.
        std::thread::sleep(Duration::from_millis(500));
        for n in 0..events {
            let text = n.to_string();
            writes.started.push(micros_now());
            store
                .add_entry(
                    id,
                    &NewEntry {
                        uuid: format!("e{n}"),
                        kind: EntryKind::Note,
                        occurred_at: Utc::now(),
                        author: "bench".into(),
                        text,
                        pinned: false,
                    },
                )
                .unwrap();
            writes.returned.push(micros_now());
            std::thread::sleep(PACE);
        }
        store
            .add_entry(
                id,
                &NewEntry {
                    uuid: "stop".into(),
                    kind: EntryKind::Note,
                    occurred_at: Utc::now(),
                    author: "bench".into(),
                    text: "stop".into(),
                    pinned: false,
                },
            )
            .unwrap();
    });
    Run {
        writes,
        applied,
        cpu_per_event,
    }
}

fn run_tail(log: &Path, followers: usize, events: usize) -> Run {
    std::fs::write(log, "").unwrap();
    let children: Vec<Child> = (0..followers)
        .map(|_| {
            Command::new("tail")
                .args(["-n0", "-f"])
                .arg(log)
                .stdout(Stdio::piped())
                .spawn()
                .expect("tail is installed")
        })
        .collect();
    let mut file = std::fs::OpenOptions::new().append(true).open(log).unwrap();
    let mut writes = Writes::default();
    let (applied, cpu_per_event) = collect(children, events, || {
        std::thread::sleep(Duration::from_millis(500));
        for n in 0..events {
            writes.started.push(micros_now());
            writeln!(file, "{n}").unwrap();
            writes.returned.push(micros_now());
            std::thread::sleep(PACE);
        }
        writeln!(file, "stop").unwrap();
    });
    Run {
        writes,
        applied,
        cpu_per_event,
    }
}

/// Reads "SEQ" or "SEQ APPLIED_US" lines from every follower (stamping the
/// former on arrival: tail's), runs `write`, and returns (SEQ, APPLIED_US)
/// and the CPU each follower used per event, on average.
fn collect(children: Vec<Child>, events: usize, write: impl FnOnce()) -> (Vec<(usize, u128)>, Duration) {
    let (tx, rx) = mpsc::channel();
    let mut handles = Vec::new();
    for mut child in children {
        let stdout = child.stdout.take().unwrap();
        let tx = tx.clone();
        handles.push(std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                if line == "stop" {
                    break;
                }
                let arrived = micros_now();
                let mut parts = line.split(' ').map(|p| p.parse::<u128>());
                match (parts.next(), parts.next()) {
                    (Some(Ok(seq)), Some(Ok(applied))) => tx.send((seq as usize, applied)).unwrap(),
                    (Some(Ok(seq)), None) => tx.send((seq as usize, arrived)).unwrap(),
                    _ => {}
                }
            }
            let cpu = cpu_time(child.id());
            let _ = child.kill();
            let _ = child.wait();
            cpu
        }));
    }
    drop(tx);
    write();
    let followers = handles.len();
    let cpu: Duration = handles.into_iter().map(|handle| handle.join().unwrap()).sum();
    let applied: Vec<(usize, u128)> = rx.into_iter().collect();
    assert!(
        applied.len() >= events,
        "every follower saw every event ({} samples)",
        applied.len()
    );
    // Less noisy than the latencies: what following costs each process.
    (applied, cpu / (followers * events) as u32)
}

/// User and system CPU time a process has used so far, from /proc.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line (11 and 12 here).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_micros(ticks * 1_000_000 / per_second)
}

/// Follower mode: wait like the console's store worker, print each new
/// entry's sequence number and apply time.
fn follow(database: &str) {
    let mut store = Store::open(location(database), OpenMode::Existing).unwrap();
    let id = store.latest_open_incident().unwrap().unwrap();
    // The console's own store worker, headless: its snapshots are what a
    // console applies.
    let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (inbox_tx, inbox) = warroom::console::mailbox::mailbox().unwrap();
    let worker = Worker::new(
        store,
        Some(id),
        "follower".into(),
        Presence {
            session: uuid::Uuid::new_v4().to_string(),
            account: "follower".into(),
            terminal: "bench".into(),
            host: String::new(),
            incident_id: Some(id),
            since: Utc::now(),
            seen_at: Utc::now(),
        },
    );
    let wake = inbox_tx.clone();
    std::thread::spawn(move || worker.run(inbox, wake, events_tx));
    let stdout = std::io::stdout();
    while let Some(event) = events.blocking_recv() {
        let Event::Snapshot(snapshot) = event else {
            continue;
        };
        let entries = match snapshot.incident {
            IncidentData::Full(record) => record.timeline,
            IncidentData::Update(update) => update.new_entries,
            IncidentData::None | IncidentData::Unchanged => continue,
        };
        let applied = micros_now();
        let mut out = stdout.lock();
        for entry in entries.iter().filter(|e| e.kind == EntryKind::Note) {
            if entry.text == "stop" {
                writeln!(out, "stop").unwrap();
                drop(inbox_tx);
                return;
            }
            writeln!(out, "{} {applied}", entry.text).unwrap();
        }
        out.flush().unwrap();
    }
}
