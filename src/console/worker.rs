//! The store worker: the only thread that touches the database for the
//! console. It applies writes, notices other processes' commits (woken by
//! the file watch or the server's NOTIFY, confirmed by the change probe,
//! with a slow poll as fallback), loads only what changed, keeps this
//! console's presence fresh, and sends snapshots, so the drawing path never
//! waits on the database. When the server cannot be reached it says so
//! (RECONNECTING), retries at every poll, and catches up by its cursor.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{Local, Utc};
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Event, IncidentData, Request, SEARCH_PAGE, Snapshot, WINDOW_PAGE};
use crate::command::{self, Declaration};
use crate::domain::attendance::CostConfig;
use crate::domain::chain::Break;
use crate::domain::presence::{HEARTBEAT, Presence};
use crate::store::follow::{Follower, Loaded, Recheck};
use crate::store::watch::{FolderWatch, Wake};
use crate::store::{AttendanceSummary, Location, OpenMode, Store, StoreError};
use crate::witness::Witness;

use super::mailbox::{Inbox, Mailbox, Waited};

/// How often commits are looked for when no file event came (the watch can
/// miss, e.g. on network filesystems).
const FALLBACK_POLL: Duration = Duration::from_millis(1000);

/// How often, at most, the worker looks whether the database file was
/// removed or replaced while nothing is written.
const GONE_CHECK: Duration = Duration::from_millis(250);

/// How long after a writer last signalled a commit the WAL's own writes
/// are taken as its forerunners (no quick re-checks); past it, as a writer
/// that does not signal (another program, an older warroom).
const SIGNALS_TRUSTED_FOR: Duration = Duration::from_secs(10);

/// How often, at most, the record's new events are checked while commits
/// stream in. Each check walks from the last event checked, so none is
/// skipped; a tampering is reported this much later at most, and a follower
/// spends its CPU on the commits themselves.
const RECORD_CHECK_EVERY: Duration = Duration::from_millis(100);

/// How long after a failed walk of the record the next one may start.
const WALK_RETRY: Duration = Duration::from_secs(5);

/// The console stopped listening.
struct ConsoleGone;

/// What the worker is asked to do.
pub enum WorkerMessage {
    Write(Request),
    /// The server sent a NOTIFY (or the listener reconnected): maybe
    /// another process committed. (The folder's file events are read by
    /// the worker itself.)
    ServerNotified,
    /// The console is closing: say goodbye and stop.
    Quit,
    /// The whole walk of the record (started by [`Worker::check_record`]
    /// as number `walk`) ended: this account's witness after it, and the
    /// first break found.
    RecordWalked {
        walk: u64,
        outcome: Result<(Witness, Option<Break>), StoreError>,
    },
}

pub struct Worker {
    pub store: Store,
    /// What this account saw of the record before; None until first checked.
    witness: Option<Witness>,
    /// The first break in the record reported to the console.
    tampered: Option<Break>,
    /// The whole walk of the record under way on its own thread, by number
    /// (a walk of a file since replaced is told apart); None when none is.
    walking: Option<u64>,
    walks_started: u64,
    /// When the last walk failed, so the next waits [`WALK_RETRY`].
    walk_failed_at: Option<Instant>,
    /// New events were read and are still to be checked against the chain.
    record_check_wanted: bool,
    /// When they last were ([`RECORD_CHECK_EVERY`]).
    record_checked_at: Option<Instant>,
    /// Where a walk's news comes back (the worker's own inbox).
    mailbox: Option<Mailbox<WorkerMessage>>,
    /// Why the database path no longer names the open file, once noticed.
    gone: Option<String>,
    /// The database server could not be reached at the last look.
    unreachable: bool,
    /// What this console has loaded of the attached incident.
    follower: Follower,
    /// The incident shown; None until one is open.
    pub incident: Option<i64>,
    /// The last attendance summary read: of which incident, when.
    attendance: Option<(i64, Instant, AttendanceSummary)>,
    pub account: String,
    pub me: Presence,
    /// Set by the console when a key is typed, taken by the next heartbeat
    /// (the minute is kept as active; never which keys).
    pub typed: Arc<AtomicBool>,
    /// The config's `[cost]`, for the metrics view's estimate (as
    /// `warroom metrics` gives it).
    pub cost: CostConfig,
}

impl Worker {
    pub fn new(store: Store, incident: Option<i64>, account: String, me: Presence) -> Worker {
        Worker {
            store,
            witness: None,
            tampered: None,
            walking: None,
            walks_started: 0,
            walk_failed_at: None,
            record_check_wanted: false,
            record_checked_at: None,
            mailbox: None,
            gone: None,
            unreachable: false,
            follower: Follower::default(),
            incident,
            attendance: None,
            account,
            me,
            typed: Arc::default(),
            cost: CostConfig::default(),
        }
    }

    /// Runs until told to quit or the console is gone.
    pub fn run(
        mut self,
        inbox: Inbox<WorkerMessage>,
        mailbox: Mailbox<WorkerMessage>,
        events: UnboundedSender<Event>,
    ) {
        self.mailbox = Some(mailbox.clone());
        // A file's events are read here, between looks; a server's
        // notifications come from the listener's thread, and one waiting
        // in the inbox stands for all that come before it is taken.
        let mut folder = None;
        let notified = Arc::new(AtomicBool::new(false));
        let _listener = match self.store.location() {
            Location::File(path) => {
                folder = FolderWatch::new(path);
                None
            }
            Location::Postgres(target) => {
                let waiting = Arc::clone(&notified);
                Some(crate::store::postgres::listen::listen(target, move || {
                    if !waiting.swap(true, Ordering::AcqRel) {
                        let _ = mailbox.send(WorkerMessage::ServerNotified);
                    }
                }))
            }
        };
        // When a writer last said its commit was done: while they do, a
        // write to the WAL needs no quick re-checks (the signal follows).
        let mut commits_signalled: Option<Instant> = None;
        let mut recheck = Recheck::default();
        let mut file_event = false;
        let mut must_reload = true;
        let mut next_beat = Instant::now();
        let mut next_gone_check = Instant::now();
        loop {
            // Two stats a look: at most a few times a second (a write checks
            // again before it is applied).
            if Instant::now() >= next_gone_check {
                next_gone_check = Instant::now() + GONE_CHECK;
                if let Some(news) = self.notice_gone()
                    && events.send(news).is_err()
                {
                    break;
                }
            }
            if self.gone.is_none() && Instant::now() >= next_beat {
                // An observer who cannot write only looks.
                if !self.store.is_read_only() {
                    // Never before `since`, even if the clock is set back: a
                    // row with seen_at < since is not well formed and is not
                    // shown.
                    self.me.seen_at = Utc::now().max(self.me.since);
                    self.me.incident_id = self.incident;
                    // A failed heartbeat only delays presence; the next one retries.
                    let typed = self.typed.swap(false, Ordering::Relaxed);
                    let _ = self.store.heartbeat_with_activity(&self.me, typed);
                }
                // Our own heartbeat does not move data_version; reload so the
                // presence list (ours included) stays fresh, as others'
                // heartbeats do not reload it.
                must_reload = true;
                next_beat = Instant::now() + HEARTBEAT.to_std().unwrap_or(Duration::from_secs(2));
            }
            // One read transaction for the whole look: the locks are taken
            // once, and what is loaded is one snapshot.
            let held = self.store.begin_held_read();
            let looked = self.look(&mut must_reload, &events);
            if held {
                self.store.end_held_read();
            }
            let Ok(others_committed) = looked else { break };
            // Only a write to the folder can come before its commit is
            // visible (a NOTIFY is sent after it); while writers signal, the
            // signal follows it.
            let signalling = commits_signalled.is_some_and(|at| at.elapsed() < SIGNALS_TRUSTED_FOR);
            let early_wake = std::mem::take(&mut file_event) && !signalling;
            if let Some(folder) = &mut folder {
                folder.hear_writes(!signalling);
            }
            recheck.looked(early_wake, others_committed);
            let wait = recheck.wait(
                next_beat
                    .saturating_duration_since(Instant::now())
                    .min(FALLBACK_POLL)
                    .min(self.record_check_wait()),
            );
            let heard = match inbox.wait(wait, folder.as_ref().map(FolderWatch::fd)) {
                Waited::Readable => folder.as_mut().and_then(FolderWatch::take),
                Waited::Message(WorkerMessage::ServerNotified) => {
                    // Taken before the look (the wake's whole point), so a
                    // notification after it wakes again.
                    notified.store(false, Ordering::Release);
                    None
                }
                Waited::Message(WorkerMessage::Write(request)) => {
                    // The file may have gone since the last look: never
                    // write into a file no one reads.
                    if let Some(news) = self.notice_gone()
                        && events.send(news).is_err()
                    {
                        break;
                    }
                    // Reads (and `:who`) commit nothing: no reload after them.
                    let commits = !matches!(
                        request,
                        Request::Search { .. }
                            | Request::TimelinePage { .. }
                            | Request::EvidenceOutput { .. }
                            | Request::Who
                    );
                    let event = match self.apply(&request) {
                        Ok(event) => event,
                        Err(e) => Event::WriteFailed {
                            uncertain: matches!(e, StoreError::Unreachable { .. }),
                            request,
                            message: e.to_string(),
                        },
                    };
                    // Our own commits do not move data_version: reload now.
                    must_reload |= commits;
                    if events.send(event).is_err() {
                        break;
                    }
                    None
                }
                Waited::Message(WorkerMessage::RecordWalked { walk, outcome }) => {
                    if let Some(news) = self.walked(walk, outcome)
                        && events.send(news).is_err()
                    {
                        break;
                    }
                    None
                }
                Waited::Message(WorkerMessage::Quit) | Waited::Closed => break,
                Waited::TimedOut => None,
            };
            // Every wake is followed by a look: one data_version check
            // (microseconds), and loads only when it moved.
            match heard {
                Some(Wake::Committed) => commits_signalled = Some(Instant::now()),
                Some(Wake::Written) => file_event = true,
                None => {}
            }
        }
        if !self.store.is_read_only() {
            let _ = self.store.leave(&self.me.session);
        }
    }

    /// Looks whether others committed; if they did (or `must_reload`),
    /// reads what changed, and checks the record's new events when that is
    /// due, sending the console the news. Returns whether others committed;
    /// Err when the console is gone.
    fn look(&mut self, must_reload: &mut bool, events: &UnboundedSender<Event>) -> Result<bool, ConsoleGone> {
        let others_committed = self.follower.others_committed(&mut self.store);
        let send = |event| events.send(event).map_err(|_| ConsoleGone);
        if (*must_reload || others_committed) && self.gone.is_none() {
            // Presence moves with heartbeats (ours is one of the reasons to
            // reload), not with every commit.
            let with_presence = std::mem::take(must_reload);
            match self.snapshot(with_presence) {
                Ok(snapshot) => {
                    if std::mem::take(&mut self.unreachable) {
                        send(Event::ServerBack)?;
                    }
                    // Others' heartbeats change nothing shown until ours
                    // reads who is here: nothing to send (or draw).
                    let news =
                        !matches!(snapshot.incident, IncidentData::Unchanged) || snapshot.presence.is_some();
                    if news {
                        send(Event::Snapshot(Box::new(snapshot)))?;
                    }
                    // The record is checked only when it could be read (a
                    // server away would only time out again, walk after walk).
                    self.record_check_wanted = true;
                }
                // Retried at every poll until the server answers; the
                // follower then reads everything after its cursor.
                Err(StoreError::Unreachable { reason, .. }) => {
                    if !self.unreachable {
                        crate::diagnostics::record(&format!("database server unreachable: {reason}"));
                    }
                    self.unreachable = true;
                    *must_reload = true;
                    send(Event::ServerUnreachable(reason))?;
                }
                Err(e) => {
                    crate::diagnostics::record(&format!("console read failed: {e}"));
                    send(Event::Problem(format!("cannot read the incident: {e}")))?;
                }
            }
        }
        if self.record_check_wait().is_zero() {
            self.record_check_wanted = false;
            self.record_checked_at = Some(Instant::now());
            if let Some(news) = self.check_record() {
                send(news)?;
            }
        }
        Ok(others_committed)
    }

    /// How long until the check of the record's new events that is wanted
    /// may run (Duration::MAX: none is wanted).
    fn record_check_wait(&self) -> Duration {
        if !self.record_check_wanted {
            return Duration::MAX;
        }
        self.record_checked_at.map_or(Duration::ZERO, |at| {
            RECORD_CHECK_EVERY.saturating_sub(at.elapsed())
        })
    }

    /// Whether the database path still names the open file; the first time
    /// it does not, the news for the console (a banner: nothing is saved any
    /// more).
    fn notice_gone(&mut self) -> Option<Event> {
        if self.gone.is_some() {
            return None;
        }
        let how = self.store.file_replaced()?;
        let message = format!(
            "{} {how}: nothing is saved any more (notes stay as drafts); :reload opens the file now at that path",
            self.store.location()
        );
        crate::diagnostics::record(&message);
        self.gone = Some(message.clone());
        Some(Event::DatabaseGone(message))
    }

    /// Checks the record against its chain and what this account saw: the
    /// whole walk once (on its own thread and connection: at a million
    /// events it takes a while, and reads, writes and searches must not wait
    /// for it), then only what is new. Returns news for the console when the
    /// verdict changed.
    fn check_record(&mut self) -> Option<Event> {
        let Some(witness) = &mut self.witness else {
            let retry_due = self
                .walk_failed_at
                .is_none_or(|failed| failed.elapsed() >= WALK_RETRY);
            if self.walking.is_none() && retry_due {
                self.start_walk();
            }
            return None;
        };
        let result = witness.check(&mut self.store);
        self.report_check(result)
    }

    /// Starts the whole walk of the record, reporting to the worker's inbox.
    fn start_walk(&mut self) {
        let Some(mailbox) = self.mailbox.clone() else {
            return;
        };
        self.walks_started += 1;
        let walk = self.walks_started;
        self.walking = Some(walk);
        let location = self.store.location().clone();
        let started = std::thread::Builder::new()
            .name("record walk".into())
            .spawn(move || {
                let outcome = Store::open(&location, OpenMode::Existing).and_then(|mut store| {
                    let mut witness = Witness::for_store(&mut store)?;
                    let verification = witness.verify(&mut store)?;
                    Ok((witness, verification.first_break().cloned()))
                });
                let _ = mailbox.send(WorkerMessage::RecordWalked { walk, outcome });
            });
        if started.is_err() {
            // Tried again at the next look.
            self.walking = None;
        }
    }

    /// Takes the whole walk's outcome, unless it was of a file since
    /// replaced.
    fn walked(&mut self, walk: u64, outcome: Result<(Witness, Option<Break>), StoreError>) -> Option<Event> {
        if self.walking != Some(walk) {
            return None;
        }
        self.walking = None;
        match outcome {
            Ok((witness, broken)) => {
                self.witness = Some(witness);
                self.report_check(Ok(broken))
            }
            Err(e) => {
                // Not again at once: a walk that fails fast (a server gone)
                // would otherwise be restarted at every wake.
                self.walk_failed_at = Some(Instant::now());
                self.report_check(Err(e))
            }
        }
    }

    fn report_check(&mut self, result: Result<Option<Break>, StoreError>) -> Option<Event> {
        match result {
            Ok(broken) if broken != self.tampered => {
                self.tampered.clone_from(&broken);
                Some(Event::Integrity(broken))
            }
            Ok(_) => None,
            Err(e) => {
                crate::diagnostics::record(&format!("cannot check the record's chain: {e}"));
                None
            }
        }
    }

    /// Opens the file now at the database path, after the one open was
    /// removed or replaced; the incident shown stays if the file has it.
    fn reopen(&mut self) -> Result<(), StoreError> {
        let mut store = Store::open(self.store.location(), OpenMode::Existing)?;
        if let Some(id) = self.incident
            && store.incident_state(id).is_err()
        {
            self.incident = None;
        }
        self.store = store;
        self.follower = Follower::default();
        self.witness = None;
        self.walking = None;
        self.tampered = None;
        self.gone = None;
        Ok(())
    }

    /// The whole incident the first time, then only what changed; who is
    /// here if asked.
    fn snapshot(&mut self, with_presence: bool) -> Result<Snapshot, StoreError> {
        if self.incident.is_none() {
            self.incident = self.store.latest_open_incident()?;
        }
        let incident = match self.incident {
            None => IncidentData::None,
            Some(id) => match self.follower.load(&mut self.store, id, WINDOW_PAGE)? {
                Loaded::Full(record) => IncidentData::Full(record),
                Loaded::Update(update) => IncidentData::Update(update),
                Loaded::Unchanged => IncidentData::Unchanged,
            },
        };
        Ok(Snapshot {
            incident,
            presence: with_presence
                .then(|| self.store.presence(Utc::now()))
                .transpose()?,
            attendance: self.attendance_summary(),
            read_only: self.store.is_read_only(),
        })
    }

    /// Who is here and the responder-hours so far: read again once a
    /// heartbeat (it reads every console's spans, and moves no faster), not
    /// at every wake.
    fn attendance_summary(&mut self) -> Option<AttendanceSummary> {
        let id = self.incident?;
        let fresh = self.attendance.as_ref().is_some_and(|(of, at, _)| {
            *of == id && at.elapsed() < HEARTBEAT.to_std().unwrap_or(Duration::from_secs(2))
        });
        if !fresh {
            // Not worth failing the snapshot for: the pane then shows none.
            let summary = self.store.attendance_summary(id, Utc::now()).ok()?;
            self.attendance = Some((id, Instant::now(), summary));
        }
        self.attendance.as_ref().map(|(_, _, summary)| *summary)
    }

    /// Applies one request through the incident-command core; returns what
    /// to tell the console.
    fn apply(&mut self, request: &Request) -> Result<Event, StoreError> {
        // Nothing is written into a file no one reads; reopening is the way
        // out. Reading the file still open harms nothing.
        if let Some(gone) = &self.gone
            && !matches!(
                request,
                Request::Reopen
                    | Request::Search { .. }
                    | Request::TimelinePage { .. }
                    | Request::EvidenceOutput { .. }
            )
        {
            return Err(StoreError::Invalid(gone.clone()));
        }
        match request {
            Request::Reopen => Ok(match self.reopen() {
                Ok(()) => Event::Reopened,
                Err(e) => Event::Problem(format!("cannot reopen: {e}")),
            }),
            Request::Declare {
                uuid,
                title,
                severity,
                detected_at,
                runbook,
                drill,
            } => {
                let declaration = Declaration {
                    title: title.clone(),
                    severity: *severity,
                    started_at: None,
                    detected_at: detected_at.clone(),
                    runbook: runbook.clone(),
                    drill: *drill,
                };
                let id = declaration
                    .check(&Local::now())
                    .map_err(|refusal| StoreError::Invalid(refusal.message))?
                    .apply(&mut self.store, uuid, &self.account)?;
                self.incident = Some(id);
                Ok(Event::Info(format!("Incident {id} declared")))
            }
            Request::Apply(attempt) => Ok(Event::Answered {
                request: request.clone(),
                answer: command::apply(&mut self.store, attempt, &self.account)?,
            }),
            Request::Metrics => {
                let report = self
                    .store
                    .metrics_with_cost(&Default::default(), Utc::now(), &self.cost)?;
                Ok(Event::MetricsReady(report.to_text()))
            }
            Request::TimelinePage { incident, anchor } => Ok(Event::TimelinePage {
                incident: *incident,
                anchor: *anchor,
                window: self
                    .store
                    .timeline_window(*incident, *anchor, WINDOW_PAGE)
                    .map_err(|e| e.to_string()),
            }),
            Request::EvidenceOutput {
                incident_id,
                event_id,
            } => Ok(Event::EvidenceLoaded {
                event_id: *event_id,
                result: self
                    .store
                    .evidence_output(*incident_id, *event_id)
                    .map(Box::new)
                    .map_err(|e| e.to_string()),
            }),
            Request::Who => match self.incident {
                Some(id) => Ok(Event::WhoReady(Box::new(
                    self.store.participants(id, Utc::now())?,
                ))),
                None => Ok(Event::Problem("no incident: nobody has been here yet".into())),
            },
            Request::Search { query, before } => {
                let Some(incident) = self.incident else {
                    return Ok(Event::Problem("no incident to search".into()));
                };
                // A search that fails is said; it is not a write to give back.
                Ok(match self.store.search(incident, query, *before, SEARCH_PAGE) {
                    Ok(page) => Event::SearchResults {
                        query: query.clone(),
                        before: *before,
                        page,
                    },
                    Err(e) => Event::Problem(format!("cannot search: {e}")),
                })
            }
        }
    }
}
