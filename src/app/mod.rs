//! The console's state and how it changes.
//!
//! Input and store results arrive as [`Event`]s; [`App::handle`] updates the
//! state and returns the [`Request`]s for the store worker. Nothing here
//! touches the terminal or the database, so the whole console can be driven
//! in tests without either, and drawing (`ui`) is a pure function of `App`.

pub mod command;
pub mod keymap;

use chrono::{DateTime, FixedOffset, Local, TimeDelta, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::command::{Answer, Attempt, Command, Verdict, Write};
use crate::domain::clock::{Cadence, PhaseClock, PhaseWindow};
use crate::domain::presence::Presence;
use crate::domain::timer::Timer;
use crate::domain::{EntryKind, ItemState, Severity, TimelineEntry};
use crate::runbook::{self, Runbook};
use crate::store::{IncidentRecord, IncidentUpdate};
use crate::view::IncidentView;
use command::Line;
use keymap::{Action, Context};

/// A deadline the bell rings for, once per console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deadline {
    Timer(i64),
    StatusUpdate(DateTime<Utc>),
}

/// How long a message under the panes stays.
const FLASH_FOR: TimeDelta = TimeDelta::seconds(6);

/// Something that happened: a key, a paste, a clock tick, or news from the store.
#[derive(Debug, Clone)]
pub enum Event {
    Key(KeyEvent),
    Paste(String),
    Tick(DateTime<Utc>),
    /// The current state of the attached incident (None: no open incident).
    Snapshot(Box<Snapshot>),
    /// A write failed; the request comes back so nothing typed is lost.
    WriteFailed {
        request: Request,
        message: String,
    },
    /// A write committed (or changed nothing, and why): what the core answered.
    Answered {
        request: Request,
        answer: Answer,
    },
    /// Something worth saying that is not a problem.
    Info(String),
    /// The store could not be read.
    Problem(String),
    /// The metrics report, as text, for the metrics view.
    MetricsReady(String),
    /// The record's chain is broken, or no longer extends what this account
    /// saw (None: it holds).
    Integrity(Option<crate::domain::chain::Break>),
    /// The database path no longer names the open file, and why.
    DatabaseGone(String),
    /// The file now at the database path was opened.
    Reopened,
    /// Drafts kept from an earlier session of this account (an SSH drop).
    DraftsRestored {
        note: Option<String>,
        update: Option<String>,
    },
}

/// What the store worker read.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub incident: IncidentData,
    pub presence: Vec<Presence>,
    pub read_only: bool,
}

/// The attached incident, whole or as the changes since the last snapshot.
#[derive(Debug, Clone)]
pub enum IncidentData {
    /// No open incident yet.
    None,
    Full(IncidentRecord),
    Update(IncidentUpdate),
}

impl Snapshot {
    /// A whole incident (or none), nobody else attached.
    pub fn of(record: Option<IncidentRecord>, read_only: bool) -> Snapshot {
        Snapshot {
            incident: record.map_or(IncidentData::None, IncidentData::Full),
            presence: Vec::new(),
            read_only,
        }
    }
}

/// A request for the store worker. UUIDs are made here so that a retry is
/// the same write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Declare {
        uuid: String,
        title: String,
        severity: Severity,
    },
    /// A checked write of incident command (the core's, as the CLI's).
    Apply(Attempt),
    /// Compute the metrics across incidents (for the metrics view).
    Metrics,
    /// Open the file now at the database path (after it was removed or replaced).
    Reopen,
}

/// The text of a note or status update being sent, so a failed write can
/// give it back to the composer.
fn entry_text(request: &Request) -> Option<(EntryKind, &str)> {
    match request {
        Request::Apply(Attempt {
            write: Write::Entry { kind, text, .. },
            ..
        }) => Some((*kind, text)),
        _ => None,
    }
}

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
    pub severity: Severity,
    /// The built-in runbook's escalation triggers, shown beside each severity.
    pub triggers: Vec<runbook::EscalationTrigger>,
}

/// The whole console state.
#[derive(Debug, Clone)]
pub struct App {
    pub account: String,
    pub database: String,
    pub now: DateTime<Utc>,
    /// Fixed offset for tests; the local zone otherwise.
    pub utc_offset: Option<FixedOffset>,
    pub colors: bool,
    /// False until the store worker reported for the first time.
    pub loaded: bool,
    pub read_only: bool,
    /// The first break in the record, when it was altered.
    pub tampered: Option<crate::domain::chain::Break>,
    /// Why nothing is saved any more: the database file was removed or replaced.
    pub database_gone: Option<String>,
    pub record: Option<IncidentRecord>,
    /// Consoles attached to this database (filtered by freshness when drawn).
    pub presence: Vec<Presence>,
    /// The incident's runbook snapshot, parsed (for phases and triggers).
    pub runbook: Option<Runbook>,
    pub start: StartForm,
    pub focus: Pane,
    pub input: Input,
    pub checklist_selected: usize,
    /// Timeline entries hidden below the view; 0 follows new entries.
    pub timeline_offset: usize,
    pub search: Option<String>,
    /// Indices into the timeline of the entries matching `search`.
    search_hits: Vec<usize>,
    pub note_draft: TextArea<'static>,
    pub update_draft: TextArea<'static>,
    pub prompt: TextArea<'static>,
    pub flash: Option<Flash>,
    /// Lines of the help (or metrics view) scrolled past.
    pub help_scroll: u16,
    /// The last metrics report received.
    pub metrics: Option<String>,
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
    pub should_quit: bool,
}

fn text_area(lines: Vec<String>) -> TextArea<'static> {
    let mut area = TextArea::new(lines);
    area.set_cursor_line_style(ratatui::style::Style::default());
    area
}

/// A text box holding `text` with the cursor at its end, to go on typing.
fn text_area_to_continue(text: &str) -> TextArea<'static> {
    let mut area = text_area(text.lines().map(str::to_string).collect());
    area.move_cursor(ratatui_textarea::CursorMove::Bottom);
    area.move_cursor(ratatui_textarea::CursorMove::End);
    area
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
            database,
            now,
            utc_offset: None,
            colors: true,
            loaded: false,
            read_only: false,
            tampered: None,
            database_gone: None,
            record: None,
            presence: Vec::new(),
            runbook: None,
            start: StartForm {
                title: empty_area(),
                severity: Severity::P2,
                triggers: runbook::default_runbook().escalation.clone(),
            },
            focus: Pane::Checklist,
            input: Input::Keys,
            checklist_selected: 0,
            timeline_offset: 0,
            search: None,
            search_hits: Vec::new(),
            note_draft: empty_area(),
            update_draft: empty_area(),
            prompt: empty_area(),
            flash: None,
            help_scroll: 0,
            metrics: None,
            keymap: keymap::Keymap::default(),
            rung: Default::default(),
            bell: false,
            bell_enabled: true,
            drafts_dirty: false,
            drafts_loaded_for: None,
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
            Input::Composer(_) => Context::Composer,
            Input::CommandLine | Input::Search => Context::Prompt,
            Input::Help => Context::Help,
            Input::Metrics => Context::Metrics,
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

    /// The attached incident as the panes read it.
    pub fn view(&self) -> Option<IncidentView<'_>> {
        Some(IncidentView::new(self.record.as_ref()?, self.runbook.as_ref()))
    }

    /// The phase windows of the incident's runbook.
    pub fn phase_windows(&self) -> Vec<PhaseWindow> {
        self.view().map(|v| v.phase_windows()).unwrap_or_default()
    }

    pub fn phase_clock(&self) -> Option<PhaseClock> {
        self.view()?.phase_clock(self.now)
    }

    /// The status-update cadence: the runbook's, else the SOP's.
    pub fn cadence(&self) -> Cadence {
        self.view().map(|v| v.cadence()).unwrap_or_default()
    }

    /// When the next status update is due, and the cadence it runs on.
    pub fn status_update_due(&self) -> Option<(DateTime<Utc>, TimeDelta)> {
        Some(self.view()?.status_update_due())
    }

    /// The incident commander's account.
    pub fn commander(&self) -> Option<&str> {
        Some(self.view()?.commander())
    }

    /// Running timers past their deadline.
    pub fn due_timers(&self) -> impl Iterator<Item = &Timer> {
        self.view().into_iter().flat_map(|v| v.due_timers(self.now))
    }

    /// The deadlines that are due now: running timers and the status update.
    fn due_deadlines(&self) -> Vec<Deadline> {
        let mut due: Vec<Deadline> = self.due_timers().map(|t| Deadline::Timer(t.id)).collect();
        if let Some((at, _)) = self.status_update_due()
            && at <= self.now
            && self
                .record
                .as_ref()
                .is_some_and(|r| r.incident.status().is_open())
        {
            due.push(Deadline::StatusUpdate(at));
        }
        due
    }

    /// Rings once for each deadline that came due while this console watched.
    fn ring_for_new_deadlines(&mut self) {
        for deadline in self.due_deadlines() {
            if self.rung.insert(deadline) && self.bell_enabled {
                self.bell = true;
            }
        }
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

    /// When the last status update was posted, if ever.
    pub fn last_status_update(&self) -> Option<&TimelineEntry> {
        self.view()?.last_status_update()
    }

    /// Timeline entries shown: all, or those matching the search.
    pub fn visible_timeline(&self) -> Vec<&TimelineEntry> {
        let Some(record) = &self.record else {
            return Vec::new();
        };
        match &self.search {
            None => record.timeline.iter().collect(),
            Some(_) => self
                .search_hits
                .iter()
                .filter_map(|&i| record.timeline.get(i))
                .collect(),
        }
    }

    /// How many entries [`App::visible_timeline`] holds.
    fn visible_count(&self) -> usize {
        match (&self.record, &self.search) {
            (None, _) => 0,
            (Some(record), None) => record.timeline.len(),
            (Some(_), Some(_)) => self.search_hits.len(),
        }
    }

    /// Finds the entries matching the search once per search or snapshot,
    /// not on every frame.
    fn refresh_search(&mut self) {
        self.search_hits.clear();
        let (Some(record), Some(query)) = (&self.record, &self.search) else {
            return;
        };
        let needle = query.to_lowercase();
        self.search_hits
            .extend(record.timeline.iter().enumerate().filter_map(|(i, e)| {
                let hit = e.text.to_lowercase().contains(&needle)
                    || e.author.to_lowercase().contains(&needle)
                    || e.kind.as_str().contains(&needle);
                hit.then_some(i)
            }));
    }

    fn say(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            is_error: false,
            until: self.now + FLASH_FOR,
        });
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash {
            text: text.into(),
            is_error: true,
            until: self.now + FLASH_FOR,
        });
    }

    /// Applies one event; returns the writes it asks for.
    pub fn handle(&mut self, event: Event) -> Vec<Request> {
        match event {
            Event::Tick(now) => {
                self.now = now;
                self.ring_for_new_deadlines();
                if self.flash.as_ref().is_some_and(|f| f.until <= now) {
                    self.flash = None;
                }
                Vec::new()
            }
            Event::Snapshot(snapshot) => {
                self.apply_snapshot(*snapshot);
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
            Event::WriteFailed { request, message } => {
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
                self.key(key)
            }
        }
    }

    fn apply_snapshot(&mut self, snapshot: Snapshot) {
        self.loaded = true;
        self.read_only = snapshot.read_only;
        self.presence = snapshot.presence;
        let before = self.record.as_ref().map(|r| (r.incident.id, r.timeline.len()));
        match snapshot.incident {
            IncidentData::None => self.record = None,
            IncidentData::Full(record) => self.record = Some(record),
            IncidentData::Update(update) => match &mut self.record {
                Some(record) if record.incident.id == update.incident.id => {
                    // Named in full so a new field cannot be forgotten here.
                    let IncidentUpdate {
                        incident,
                        checklist,
                        new_entries,
                        timers,
                        roles,
                        actions,
                    } = update;
                    record.incident = incident;
                    // None: unchanged since the last load.
                    if let Some(checklist) = checklist {
                        record.checklist = checklist;
                    }
                    if let Some(timers) = timers {
                        record.timers = timers;
                    }
                    if let Some(roles) = roles {
                        record.roles = roles;
                    }
                    if let Some(actions) = actions {
                        record.actions = actions;
                    }
                    merge_entries(&mut record.timeline, new_entries);
                }
                // An update for another incident cannot be applied; the
                // worker sends whole records when it switches.
                _ => {}
            },
        }
        let after = self.record.as_ref().map(|r| (r.incident.id, r.timeline.len()));
        match (before, after) {
            (Some((old_id, old_len)), Some((new_id, new_len))) if old_id == new_id => {
                if self.timeline_offset > 0 {
                    // Scrolled back: keep looking at the same entries as new ones arrive.
                    self.timeline_offset += new_len.saturating_sub(old_len);
                }
            }
            _ => {
                self.runbook = self
                    .record
                    .as_ref()
                    .and_then(|r| runbook::parse(&r.runbook_text).ok());
                self.timeline_offset = 0;
            }
        }
        let items = self.record.as_ref().map_or(0, |r| r.checklist.len());
        self.checklist_selected = self.checklist_selected.min(items.saturating_sub(1));
        if before.is_none() {
            // Deadlines already past when the console opened do not ring.
            self.rung.extend(self.due_deadlines());
        }
        self.refresh_search();
    }

    /// Attached consoles still beating, as of `now`.
    pub fn live_presence(&self) -> impl Iterator<Item = &Presence> {
        self.presence.iter().filter(|p| p.is_live(self.now))
    }

    fn draft_mut(&mut self, kind: EntryKind) -> &mut TextArea<'static> {
        if kind == EntryKind::StatusUpdate {
            &mut self.update_draft
        } else {
            &mut self.note_draft
        }
    }

    fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        match self.input {
            Input::Composer(kind) => {
                self.draft_mut(kind).insert_str(&text);
            }
            Input::CommandLine | Input::Search => {
                self.prompt.insert_str(text.replace('\n', " "));
            }
            Input::Keys if self.record.is_none() => {
                self.start.title.insert_str(text.replace('\n', " "));
            }
            _ => self.say(format!(
                "To paste into a note, press {} first",
                self.key_name(Context::Global, Action::NewNote)
            )),
        }
    }

    /// A key, as the keymap has it where the keyboard is: every handler
    /// below is given the action (if any) and types only what is no action.
    fn key(&mut self, key: KeyEvent) -> Vec<Request> {
        let context = self.context();
        let action = self.keymap.action_for(context, &key);
        if action == Some(Action::Quit) {
            self.should_quit = true;
            return Vec::new();
        }
        if !self.loaded {
            return Vec::new();
        }
        match (context, self.input) {
            (Context::Start, _) => self.start_key(action, key),
            (_, Input::Composer(kind)) => self.composer_key(kind, action, key),
            (_, Input::CommandLine | Input::Search) => self.prompt_key(action, key),
            (_, Input::Help | Input::Metrics) => {
                self.viewer_key(action);
                Vec::new()
            }
            (_, Input::SeverityPicker(index)) => {
                self.picker_key(index, action);
                Vec::new()
            }
            (_, Input::Keys) => action.map_or_else(Vec::new, |action| self.act(action)),
        }
    }

    /// The help and metrics viewers: scroll or close.
    fn viewer_key(&mut self, action: Option<Action>) {
        match action {
            Some(Action::Down) => self.help_scroll = self.help_scroll.saturating_add(1),
            Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
            Some(Action::PageDown) => self.help_scroll = self.help_scroll.saturating_add(10),
            Some(Action::PageUp) => self.help_scroll = self.help_scroll.saturating_sub(10),
            Some(Action::ToggleHelp | Action::Close) => self.input = Input::Keys,
            _ => {}
        }
    }

    /// The severity picker: move or pick by number, then say why.
    fn picker_key(&mut self, index: usize, action: Option<Action>) {
        match action {
            Some(Action::Up) => self.input = Input::SeverityPicker(index.saturating_sub(1)),
            Some(Action::Down) => self.input = Input::SeverityPicker((index + 1).min(3)),
            Some(Action::Submit) => {
                // The reason is typed on the command line, pre-filled.
                self.prompt = text_area(vec![format!("severity {} ", Severity::ALL[index])]);
                self.prompt.move_cursor(ratatui_textarea::CursorMove::End);
                self.input = Input::CommandLine;
                self.say(format!(
                    "Say why, then {}",
                    self.key_name(Context::Prompt, Action::Submit)
                ));
            }
            Some(Action::Close) => self.input = Input::Keys,
            Some(choose) => {
                if let Some(chosen) = choose.chosen_severity() {
                    self.input = Input::SeverityPicker(chosen);
                }
            }
            None => {}
        }
    }

    /// The declaration form: type a title, pick a severity, declare.
    fn start_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Leave) => self.should_quit = true,
            Some(Action::SeverityUp) => self.start.severity = step_severity(self.start.severity, -1),
            Some(Action::SeverityDown) => self.start.severity = step_severity(self.start.severity, 1),
            Some(Action::Submit) => {
                if self.read_only {
                    self.complain(self.read_only_reason());
                    return Vec::new();
                }
                let title = text_of(&self.start.title).trim().to_string();
                if title.is_empty() {
                    self.complain("Type a title for the incident first");
                    return Vec::new();
                }
                self.say("Declaring…");
                return vec![Request::Declare {
                    uuid: new_uuid(),
                    title,
                    severity: self.start.severity,
                }];
            }
            Some(_) => {}
            None => type_into(&mut self.start.title, key),
        }
        Vec::new()
    }

    fn composer_key(&mut self, kind: EntryKind, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Submit) => {
                let text = text_of(self.draft_mut(kind)).trim_end().to_string();
                if text.trim().is_empty() {
                    self.complain("Nothing to send: the note is empty");
                    return Vec::new();
                }
                if let Some(why) = &self.database_gone {
                    self.complain(format!("Not saved (kept as a draft): {why}"));
                    return Vec::new();
                }
                let sent = self.order(
                    Command::Entry {
                        kind,
                        text,
                        at: None,
                        pinned: false,
                    },
                    None,
                );
                // Refused here: the words stay in the composer.
                if !sent.is_empty() {
                    *self.draft_mut(kind) = empty_area();
                    self.input = Input::Keys;
                }
                sent
            }
            Some(Action::InsertNewline) => {
                self.draft_mut(kind).insert_newline();
                Vec::new()
            }
            Some(Action::Leave) => {
                self.input = Input::Keys;
                if !self.draft_mut(kind).is_empty() {
                    self.say("Draft kept: press the same key to go on writing");
                }
                Vec::new()
            }
            Some(_) => Vec::new(),
            None => {
                type_into(self.draft_mut(kind), key);
                Vec::new()
            }
        }
    }

    fn prompt_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Submit) => {
                let line = text_of(&self.prompt);
                self.prompt = empty_area();
                let input = std::mem::replace(&mut self.input, Input::Keys);
                if input == Input::Search {
                    let query = line.trim();
                    self.search = (!query.is_empty()).then(|| query.to_string());
                    self.refresh_search();
                    self.timeline_offset = 0;
                    if let Some(q) = &self.search {
                        let n = self.visible_count();
                        let clear = self.key_name(Context::Timeline, Action::ClearSearch);
                        self.say(format!("{n} entries match {q:?}; {clear} in the timeline clears"));
                    }
                    Vec::new()
                } else {
                    self.run_command(&line)
                }
            }
            Some(Action::Leave) => {
                self.prompt = empty_area();
                self.input = Input::Keys;
                Vec::new()
            }
            Some(_) => Vec::new(),
            None => {
                type_into(&mut self.prompt, key);
                Vec::new()
            }
        }
    }

    fn run_command(&mut self, line: &str) -> Vec<Request> {
        match command::parse(line) {
            Err(message) => {
                self.complain(message);
                Vec::new()
            }
            Ok(Line::Quit) => {
                self.should_quit = true;
                Vec::new()
            }
            Ok(Line::Help) => {
                self.input = Input::Help;
                Vec::new()
            }
            Ok(Line::Reload) => vec![Request::Reopen],
            Ok(Line::Metrics) => {
                self.help_scroll = 0;
                self.input = Input::Metrics;
                vec![Request::Metrics]
            }
            Ok(Line::Write(order)) => {
                // A severity change must not silently undo one made since
                // the commander looked.
                let seen = matches!(order, Command::Severity { .. })
                    .then(|| self.record.as_ref().map(|r| r.incident.version))
                    .flatten();
                self.order(order, seen)
            }
        }
    }

    /// Checks a write of incident command against the incident as this
    /// console sees it and the clock, the same way the command line does,
    /// and asks the worker to apply it; a refusal is said here.
    fn order(&mut self, order: Command, seen_version: Option<i64>) -> Vec<Request> {
        if !self.writable() {
            return Vec::new();
        }
        let Some(record) = &self.record else {
            return Vec::new();
        };
        let checked = match self.utc_offset {
            Some(offset) => order.check(record, &self.now.with_timezone(&offset)),
            None => order.check(record, &self.now.with_timezone(&Local)),
        };
        match checked {
            Ok(write) => vec![Request::Apply(Attempt {
                seen_version,
                ..Attempt::new(record.incident.id, write)
            })],
            Err(refusal) => {
                self.complain(refusal.message);
                Vec::new()
            }
        }
    }

    /// Says what the core answered for a write of this console.
    fn hear(&mut self, request: &Request, answer: Answer) {
        let mut said = match (entry_text(request), answer.verdict) {
            (Some((EntryKind::StatusUpdate, _)), _) => "Status update posted; countdown reset".to_string(),
            (Some((EntryKind::Decision, _)), _) => "Decision recorded".to_string(),
            (Some(_), _) => "Note added".to_string(),
            (None, Verdict::Conflict) => format!("Not changed: {}. Press again to apply yours.", answer.text),
            (None, _) => answer.text,
        };
        if let Some(warning) = answer.warning {
            said = format!("{said} (warning: {warning})");
        }
        if answer.verdict == Verdict::Conflict {
            self.complain(said);
        } else {
            self.say(said);
        }
    }

    fn read_only_reason(&self) -> String {
        format!(
            "Read-only: account {} cannot write {}; you can watch but not change it",
            self.account, self.database
        )
    }

    fn writable(&mut self) -> bool {
        if let Some(why) = &self.database_gone {
            self.complain(format!("Not saved (kept as a draft): {why}"));
            return false;
        }
        if self.read_only {
            self.complain(self.read_only_reason());
        }
        !self.read_only
    }

    /// The current phase's items are all closed: time to move on.
    pub fn phase_complete(&self) -> bool {
        self.view().is_some_and(|v| v.phase_complete())
    }

    fn open_composer(&mut self, kind: EntryKind) {
        // With the database gone, writing on is fine: the words are kept as
        // a draft until the file is back (:reload).
        if self.database_gone.is_some() || self.writable() {
            self.input = Input::Composer(kind);
        }
    }

    fn act(&mut self, action: Action) -> Vec<Request> {
        let items = self.record.as_ref().map_or(0, |r| r.checklist.len());
        let entries = self.visible_count();
        let page = 10;
        match action {
            Action::Quit => self.should_quit = true,
            Action::ToggleHelp => {
                self.help_scroll = 0;
                self.input = Input::Help;
            }
            Action::FocusNext | Action::FocusPrevious => {
                self.focus = match self.focus {
                    Pane::Checklist => Pane::Timeline,
                    Pane::Timeline => Pane::Checklist,
                }
            }
            Action::NewNote => self.open_composer(EntryKind::Note),
            Action::NewStatusUpdate => self.open_composer(EntryKind::StatusUpdate),
            Action::ChangeSeverity => {
                if self.writable() {
                    let current = self.record.as_ref().map_or(2, |r| r.incident.severity as usize);
                    self.input = Input::SeverityPicker(current);
                }
            }
            Action::CommandLine => self.input = Input::CommandLine,
            Action::Search => {
                self.focus = Pane::Timeline;
                self.input = Input::Search;
            }
            Action::ClearSearch => {
                if self.search.take().is_some() {
                    self.say("Search cleared");
                }
            }
            Action::ToggleItem | Action::MarkNotApplicable => {
                let Some(item) = self
                    .record
                    .as_ref()
                    .and_then(|r| r.checklist.get(self.checklist_selected))
                else {
                    return Vec::new();
                };
                let state = match (action, item.state) {
                    (Action::MarkNotApplicable, ItemState::NotApplicable) => ItemState::Open,
                    (Action::MarkNotApplicable, _) => ItemState::NotApplicable,
                    (_, ItemState::Open) => ItemState::Done,
                    _ => ItemState::Open,
                };
                let (key, version) = (item.key.clone(), item.version);
                let order = Command::SetItem {
                    item: key,
                    state,
                    at: None,
                };
                return self.order(order, Some(version));
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                let step: isize = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                match self.focus {
                    Pane::Checklist => {
                        self.checklist_selected = clamp_step(self.checklist_selected, step, items);
                    }
                    // In the timeline, "up" goes back in time: more entries hidden below.
                    Pane::Timeline => {
                        self.timeline_offset = clamp_step(self.timeline_offset, -step, entries);
                    }
                }
            }
            // Bound only where text is typed, or in the picker and viewers.
            Action::Submit
            | Action::InsertNewline
            | Action::Leave
            | Action::SeverityUp
            | Action::SeverityDown
            | Action::ChooseP0
            | Action::ChooseP1
            | Action::ChooseP2
            | Action::ChooseP3
            | Action::Close => {}
        }
        Vec::new()
    }
}

/// Adds entries to a timeline kept in time order; a backdated entry lands in
/// its place, an entry already there is not added twice.
fn merge_entries(timeline: &mut Vec<TimelineEntry>, new: Vec<TimelineEntry>) {
    let known: std::collections::HashSet<i64> = timeline.iter().map(|e| e.id).collect();
    let in_order = |a: &TimelineEntry, b: &TimelineEntry| (a.occurred_at, a.id) <= (b.occurred_at, b.id);
    for entry in new.into_iter().filter(|e| !known.contains(&e.id)) {
        if timeline.last().is_none_or(|last| in_order(last, &entry)) {
            timeline.push(entry);
        } else {
            let at = timeline.partition_point(|e| in_order(e, &entry));
            timeline.insert(at, entry);
        }
    }
}

/// Types a key that is no action into a text box. Line breaks come only
/// from the keymap's newline keys, so keys the box would read as a line break
/// of its own (Enter with any modifier, Ctrl-M) are dropped.
fn type_into(area: &mut TextArea<'static>, key: KeyEvent) {
    let line_break = match key.code {
        KeyCode::Enter | KeyCode::Char('\n' | '\r') => true,
        KeyCode::Char('m') => key.modifiers.contains(KeyModifiers::CONTROL),
        _ => false,
    };
    if !line_break {
        area.input(key);
    }
}

fn clamp_step(current: usize, step: isize, len: usize) -> usize {
    let max = len.saturating_sub(1) as isize;
    (current as isize).saturating_add(step).clamp(0, max.max(0)) as usize
}

fn step_severity(current: Severity, step: isize) -> Severity {
    let index = Severity::ALL.iter().position(|s| *s == current).unwrap_or(0) as isize;
    Severity::ALL[(index + step).clamp(0, 3) as usize]
}
