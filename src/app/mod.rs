//! The console's state and how it changes.
//!
//! Input and store results arrive as [`Event`]s; [`App::handle`] updates the
//! state and returns the [`Request`]s for the store worker. Nothing here
//! touches the terminal or the database, so the whole console can be driven
//! in tests without either, and drawing (`ui`) is a pure function of `App`.
//!
//! Here: the state and the dispatch of events. Beside it: `protocol` (events
//! and requests, shared with the store worker), `queries` (what the panes
//! read), `orders` (writes through the incident-command core), `input` (keys
//! and pastes) and one module per input mode: `panes`, `composer`, `prompt`
//! (`:` and `/`), `start`, `picker` (severity), `viewer` (help, metrics,
//! an entry), `entry` (the timeline's selected entry: open, pin);
//! `keymap` and `command` (the `:` table) are the two tables they read.

pub mod command;
mod composer;
mod entry;
mod evidence;
mod input;
pub mod keymap;
mod orders;
mod panes;
mod picker;
pub mod prompt;
mod protocol;
mod queries;
pub mod replay;
mod search;
mod start;
mod viewer;
pub mod who;
mod window;

pub use entry::entry_viewer_lines;
use protocol::entry_text;
pub use protocol::{Event, IncidentData, Request, SEARCH_PAGE, Snapshot};
pub use search::Search;
pub use window::WINDOW_PAGE;

use chrono::{DateTime, FixedOffset, Local, TimeDelta, Utc};
use ratatui_textarea::TextArea;

use crate::command::Attempt;
use crate::domain::presence::Presence;
use crate::domain::{EntryKind, Severity};
use crate::runbook::{self, Runbook};
use crate::store::IncidentRecord;
use keymap::{Action, Context};

/// A deadline the bell rings for, once per console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    Timer(i64),
    StatusUpdate(DateTime<Utc>),
}

/// How long a message under the panes stays.
const FLASH_FOR: TimeDelta = TimeDelta::seconds(6);

/// The panes that take the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Checklist,
    Timeline,
}

/// What the keyboard is typing into, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// Keys are commands.
    Keys,
    /// Writing a note or a status update in the composer.
    Composer(EntryKind),
    CommandLine,
    Search,
    Help,
    /// Choosing a severity (index into P0..P3), triggers shown beside each.
    SeverityPicker(usize),
    /// The metrics across incidents, scrolled like the help.
    Metrics,
    /// One timeline entry (by id), whole, scrolled like the help.
    Entry(i64),
    /// Typing a search within the entry open (by id).
    EntrySearch(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub is_error: bool,
    pub until: DateTime<Utc>,
}

/// The declaration form shown when there is no open incident.
#[derive(Debug, Clone)]
pub struct StartForm {
    pub title: TextArea<'static>,
    /// How long ago it was detected (`10m`, `1h`, `14:05`); empty: now.
    pub detected: TextArea<'static>,
    /// The field being typed into.
    pub field: StartField,
    pub severity: Severity,
    /// The runbooks to declare with (the library's); never empty.
    pub runbooks: Vec<RunbookChoice>,
    /// The one chosen, an index into `runbooks`.
    pub runbook: usize,
    /// Declare it as a drill (practice, kept out of the metrics).
    pub drill: bool,
}

/// A runbook the start screen offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunbookChoice {
    /// Its first heading.
    pub name: String,
    /// When to pick it.
    pub use_for: Option<String>,
    /// The name an incident declared with it records.
    pub recorded_name: String,
    pub text: String,
    /// Its escalation triggers, shown beside each severity.
    pub triggers: Vec<runbook::EscalationTrigger>,
}

impl RunbookChoice {
    /// The built-in runbooks (the SOP first), before a library folder is read.
    pub fn built_in() -> Vec<RunbookChoice> {
        crate::runbooks::Library::built_in()
            .entries
            .into_iter()
            .map(RunbookChoice::from)
            .collect()
    }
}

impl From<crate::runbooks::Entry> for RunbookChoice {
    fn from(entry: crate::runbooks::Entry) -> RunbookChoice {
        RunbookChoice {
            name: entry.name,
            use_for: entry.runbook.use_for,
            recorded_name: entry.recorded_name,
            text: entry.text,
            triggers: entry.runbook.escalation,
        }
    }
}

impl StartForm {
    /// The runbook new incidents are declared with.
    pub fn chosen_runbook(&self) -> &RunbookChoice {
        &self.runbooks[self.runbook.min(self.runbooks.len() - 1)]
    }
}

/// The start screen's fields, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartField {
    Title,
    Detected,
    /// The runbook (chosen with the keys that move the severity elsewhere).
    Runbook,
}

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    pub account: String,
    /// This host's name: consoles on other hosts are listed with theirs.
    pub host: String,
    pub database: String,
    pub now: DateTime<Utc>,
    /// Fixed offset for tests; the local zone otherwise.
    pub utc_offset: Option<FixedOffset>,
    pub colors: bool,
    /// The terminal's background, so colours read on it.
    pub background: crate::config::Background,
    /// False until the store worker reported for the first time.
    pub loaded: bool,
    pub read_only: bool,
    /// The first break in the record, when it was altered.
    pub tampered: Option<crate::domain::chain::Break>,
    /// Why nothing is saved any more: the database file was removed or replaced.
    pub database_gone: Option<String>,
    /// Why the database server cannot be reached, while the worker retries.
    pub reconnecting: Option<String>,
    /// Writes the server may or may not have committed when it went away:
    /// the same write sent again goes under the same UUID (applied once).
    pub(crate) uncertain_writes: Vec<Attempt>,
    pub record: Option<IncidentRecord>,
    /// Consoles attached to this database (filtered by freshness when drawn).
    pub presence: Vec<Presence>,
    /// The incident's runbook snapshot, parsed (for phases and triggers).
    pub runbook: Option<Runbook>,
    pub start: StartForm,
    pub focus: Pane,
    pub input: Input,
    pub checklist_selected: usize,
    /// The selected timeline entry, counted back from the newest visible
    /// one; the view ends with it, so as many entries are hidden below.
    /// 0 follows new entries.
    pub timeline_offset: usize,
    /// The page of the timeline asked of the store and not come yet.
    timeline_page_asked: Option<crate::store::WindowAnchor>,
    /// The `/` search shown in the timeline pane instead of the timeline.
    pub search: Option<Search>,
    pub note_draft: TextArea<'static>,
    pub update_draft: TextArea<'static>,
    /// The status update as pre-filled from the template, while untouched
    /// it is no draft (see `input::open_composer`).
    pub update_prefill: Option<String>,
    pub prompt: TextArea<'static>,
    /// The message line: what the last action did, or why not.
    pub flash: Option<Flash>,
    /// The write whose answer the message line waits for (its UUID): an
    /// answer to an earlier write, arriving after something else was done
    /// or said, is not the answer to the last action and is not said.
    awaited_answer: Option<String>,
    /// Lines of the help (or metrics view) scrolled past.
    pub help_scroll: u16,
    /// The evidence entry open in the viewer, with its output once loaded.
    pub evidence: Option<evidence::EvidenceShown>,
    /// The last metrics report received.
    pub metrics: Option<String>,
    /// `:who` in the metrics view's place (issue #18; src/app/who.rs).
    pub who: who::WhoView,
    /// Here now and responder-hours, for the incident pane (issue #18).
    pub attendance: Option<crate::store::AttendanceSummary>,
    /// The keys in force (defaults with the config's overrides).
    pub keymap: keymap::Keymap,
    /// Deadlines this console has already rung the bell for.
    pub rung: std::collections::HashSet<Deadline>,
    /// Ring the terminal bell after the next frame.
    pub bell: bool,
    /// Whether to ring at all (`WARROOM_BELL=off` turns it off).
    pub bell_enabled: bool,
    /// A draft changed since the console last saved the drafts.
    pub drafts_dirty: bool,
    /// The incident whose kept drafts were offered back.
    pub drafts_loaded_for: Option<i64>,
    /// A replay's clock and events (`warroom replay`); None in the live
    /// console.
    pub replay: Option<replay::Player>,
    pub should_quit: bool,
}

fn text_area(lines: Vec<String>) -> TextArea<'static> {
    let mut area = TextArea::new(lines);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area
}

/// A note or status update box holding `text` with the cursor at its end,
/// to go on typing. Its lines wrap at the box's width (at spaces, and
/// inside a word only when it is wider than the box), so a paragraph never
/// scrolls sideways.
fn text_area_to_continue(text: &str) -> TextArea<'static> {
    let mut area = text_area(text.lines().map(str::to_string).collect());
    area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
}

/// An empty note or status update box.
fn empty_draft() -> TextArea<'static> {
    text_area_to_continue("")
}

fn empty_area() -> TextArea<'static> {
    text_area(vec![String::new()])
}

fn text_of(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}

fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl App {
    pub fn new(account: String, database: String, now: DateTime<Utc>) -> App {
        App {
            account,
            host: crate::account::host_name().to_owned(),
            database,
            now,
            utc_offset: None,
            colors: true,
            background: crate::config::Background::default(),
            loaded: false,
            read_only: false,
            tampered: None,
            database_gone: None,
            reconnecting: None,
            uncertain_writes: Vec::new(),
            record: None,
            presence: Vec::new(),
            runbook: None,
            start: StartForm {
                title: empty_area(),
                detected: empty_area(),
                field: StartField::Title,
                severity: Severity::P2,
                runbooks: RunbookChoice::built_in(),
                runbook: 0,
                drill: false,
            },
            focus: Pane::Checklist,
            input: Input::Keys,
            checklist_selected: 0,
            timeline_offset: 0,
            timeline_page_asked: None,
            search: None,
            note_draft: empty_draft(),
            update_draft: empty_draft(),
            update_prefill: None,
            prompt: empty_area(),
            flash: None,
            awaited_answer: None,
            help_scroll: 0,
            evidence: None,
            metrics: None,
            who: who::WhoView::Closed,
            attendance: None,
            keymap: keymap::Keymap::default(),
            rung: Default::default(),
            bell: false,
            bell_enabled: true,
            drafts_dirty: false,
            drafts_loaded_for: None,
            replay: None,
            should_quit: false,
        }
    }

    /// A time in the reader's zone.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self.utc_offset {
            Some(offset) => at.with_timezone(&offset),
            None => at.with_timezone(&Local).fixed_offset(),
        }
    }

    /// What has the keyboard: the start screen without an incident, else
    /// what is being typed into or looked at, else the focused pane.
    pub fn context(&self) -> Context {
        if self.record.is_none() {
            return Context::Start;
        }
        match self.input {
            Input::Keys if self.replay.is_some() => Context::Replay,
            Input::Composer(_) => Context::Composer,
            Input::CommandLine | Input::Search => Context::Prompt,
            Input::Help => Context::Help,
            Input::Metrics => Context::Metrics,
            Input::Entry(_) => Context::Entry,
            Input::EntrySearch(_) => Context::Prompt,
            Input::SeverityPicker(_) => Context::SeverityPicker,
            Input::Keys => match self.focus {
                Pane::Checklist => Context::Checklist,
                Pane::Timeline => Context::Timeline,
            },
        }
    }

    /// The name of the first key that does `action` in `context`, for
    /// messages that tell the user what to press.
    fn key_name(&self, context: Context, action: Action) -> String {
        self.keymap.key_name(context, action)
    }

    /// The drafts to keep on disk, if they changed: (note, status update).
    pub fn take_dirty_drafts(&mut self) -> Option<(i64, String, String)> {
        if !std::mem::take(&mut self.drafts_dirty) {
            return None;
        }
        let id = self.record.as_ref()?.incident.id;
        Some((id, text_of(&self.note_draft), text_of(&self.update_draft)))
    }

    /// Takes the pending bell (the console writes BEL after drawing).
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell)
    }

    fn say(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            is_error: false,
            until: self.message_clock() + FLASH_FOR,
        });
    }

    pub(crate) fn complain(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            is_error: true,
            until: self.message_clock() + FLASH_FOR,
        });
    }

    /// The clock messages fade by: the wall clock, also in a replay (whose
    /// `now` is the replay's).
    fn message_clock(&self) -> DateTime<Utc> {
        self.replay.as_ref().map_or(self.now, |player| player.wall)
    }

    /// After an action: the line now waits for the answer to the write it
    /// sent, or for none if the action said something of its own.
    fn await_answer(&mut self, requests: &[Request]) {
        let sent = requests.iter().rev().find_map(|request| match request {
            Request::Apply(attempt) => Some(attempt.uuid.clone()),
            _ => None,
        });
        if sent.is_some() || self.flash.is_some() {
            self.awaited_answer = sent;
        }
    }

    /// Whether `request` is the write the message line waits for; it waits
    /// for it once.
    fn is_awaited(&mut self, request: &Request) -> bool {
        let Request::Apply(attempt) = request else {
            return false;
        };
        if self.awaited_answer.as_deref() == Some(attempt.uuid.as_str()) {
            self.awaited_answer = None;
            return true;
        }
        false
    }

    /// Applies one event; returns the writes it asks for (in a replay,
    /// none: what its panes ask is answered from its events).
    pub fn handle(&mut self, event: Event) -> Vec<Request> {
        let requests = self.handle_event(event);
        if self.replay.is_none() {
            return requests;
        }
        self.answer_in_replay(requests);
        Vec::new()
    }

    fn handle_event(&mut self, event: Event) -> Vec<Request> {
        match event {
            Event::Tick(wall) if self.replay.is_some() => {
                self.replay_tick(wall);
                Vec::new()
            }
            Event::Tick(now) => {
                self.now = now;
                self.ring_for_new_deadlines();
                if self.flash.as_ref().is_some_and(|f| f.until <= now) {
                    self.flash = None;
                }
                Vec::new()
            }
            Event::Snapshot(snapshot) => self.apply_snapshot(*snapshot),
            Event::SearchResults { query, before, page } => self.hear_search(query, before, page),
            Event::TimelinePage {
                incident,
                anchor,
                window,
            } => self.hear_timeline_page(incident, anchor, window),
            Event::EvidenceLoaded { event_id, result } => {
                self.hear_evidence(event_id, result);
                Vec::new()
            }
            Event::Answered { request, answer } => {
                self.hear(&request, answer);
                Vec::new()
            }
            Event::Info(text) => {
                self.say(text);
                Vec::new()
            }
            Event::Problem(text) => {
                self.complain(text);
                Vec::new()
            }
            Event::Integrity(broken) => {
                if let Some(broken) = &broken {
                    self.complain(format!("TAMPERED: {}", broken.describe()));
                }
                self.tampered = broken;
                Vec::new()
            }
            Event::DatabaseGone(why) => {
                self.complain(format!("Database gone: {why}"));
                self.database_gone = Some(why);
                Vec::new()
            }
            Event::ServerUnreachable(why) => {
                if self.reconnecting.is_none() {
                    self.complain(format!("Reconnecting: {why}"));
                }
                self.reconnecting = Some(why);
                Vec::new()
            }
            Event::ServerBack => {
                self.reconnecting = None;
                self.say("Connected again; caught up with what was written meanwhile");
                Vec::new()
            }
            Event::Reopened => {
                self.database_gone = None;
                self.tampered = None;
                self.say("Reopened the database file now at that path");
                Vec::new()
            }
            Event::MetricsReady(text) => {
                self.metrics = Some(text);
                Vec::new()
            }
            Event::WhoReady(participants) => {
                self.who_ready(participants);
                Vec::new()
            }
            Event::DraftsRestored { note, update } => {
                let mut restored = Vec::new();
                for (kind, text) in [(EntryKind::Note, note), (EntryKind::StatusUpdate, update)] {
                    if let Some(text) = text
                        && self.draft_mut(kind).is_empty()
                    {
                        *self.draft_mut(kind) = text_area_to_continue(&text);
                        restored.push(if kind == EntryKind::Note {
                            format!("note ({})", self.key_name(Context::Global, Action::NewNote))
                        } else {
                            format!(
                                "status update ({})",
                                self.key_name(Context::Global, Action::NewStatusUpdate)
                            )
                        });
                    }
                }
                if !restored.is_empty() {
                    self.say(format!(
                        "Your unsent {} was kept: press the key to go on",
                        restored.join(" and ")
                    ));
                }
                Vec::new()
            }
            Event::WriteFailed {
                request,
                message,
                uncertain,
            } => {
                if uncertain && let Request::Apply(attempt) = &request {
                    self.uncertain_writes.push(attempt.clone());
                }
                // Give the words back: a failed write must not eat a note.
                if let Some((kind, text)) = entry_text(&request) {
                    self.drafts_dirty = true;
                    let draft = self.draft_mut(kind);
                    if draft.is_empty() {
                        *draft = text_area_to_continue(text);
                    }
                }
                self.complain(format!("Not saved: {message}"));
                Vec::new()
            }
            Event::Paste(text) => {
                self.drafts_dirty |= matches!(self.input, Input::Composer(_));
                self.paste(&text);
                Vec::new()
            }
            Event::Key(key) => {
                self.drafts_dirty |= matches!(self.input, Input::Composer(_));
                // A key that does something ends what the line said about
                // the last action; typing text does not ("Say why" stays
                // while the reason is typed).
                if self.keymap.action_for(self.context(), &key).is_some() {
                    self.flash = None;
                }
                let requests = self.key(key);
                self.await_answer(&requests);
                requests
            }
        }
    }

    /// Takes the store's news; asks for the search's newest page when new
    /// entries came.
    fn apply_snapshot(&mut self, snapshot: Snapshot) -> Vec<Request> {
        self.loaded = true;
        self.read_only = snapshot.read_only;
        if let Some(presence) = snapshot.presence {
            self.presence = presence;
        }
        self.attendance = snapshot.attendance;
        let before = self.record.as_ref().map(|r| r.incident.id);
        let mut new_entries = false;
        match snapshot.incident {
            IncidentData::None => self.record = None,
            IncidentData::Full(record) => {
                // Read afresh (first load, a file reopened): at the newest.
                self.record = Some(record);
                self.timeline_page_asked = None;
                self.timeline_offset = 0;
            }
            IncidentData::Update(update) => match &mut self.record {
                Some(record) if record.incident.id == update.incident_id => {
                    let entries = update.apply_to(record);
                    new_entries = !entries.is_empty();
                    self.take_new_entries(entries);
                }
                // An update for another incident cannot be applied; the
                // worker sends whole records when it switches.
                _ => {}
            },
            IncidentData::Unchanged => {}
        }
        let after = self.record.as_ref().map(|r| r.incident.id);
        let mut requests = Vec::new();
        if before.is_some() && before == after {
            if self.search.is_some() && new_entries {
                requests = self.search_newer();
            }
        } else {
            // Another incident (or none): its search does not apply.
            self.search = None;
            self.runbook = self
                .record
                .as_ref()
                .and_then(|r| runbook::parse(&r.runbook_text).ok());
            self.timeline_offset = 0;
            self.checklist_selected = self.opening_item();
        }
        let items = self.record.as_ref().map_or(0, |r| r.checklist.len());
        self.checklist_selected = self.checklist_selected.min(items.saturating_sub(1));
        if before.is_none() {
            // Deadlines already past when the console opened do not ring.
            self.rung.extend(self.due_deadlines());
        }
        requests
    }
}
