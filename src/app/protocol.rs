//! What the console and its store worker say to each other: events in,
//! requests out.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::command::{Answer, Attempt, Write};
use crate::domain::presence::Presence;
use crate::domain::{EntryKind, Severity};
use crate::store::{
    EntryKey, EvidenceOutput, IncidentRecord, IncidentUpdate, SearchPage, SearchQuery, TimelineWindow,
    WindowAnchor,
};

/// How many matches one page of a search holds.
pub const SEARCH_PAGE: usize = 50;

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
        /// The server went away mid-write: it may have committed. Sending
        /// the same write again reuses its UUID, so it is applied once.
        uncertain: bool,
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
    /// Who took part in the attached incident, for `:who`.
    WhoReady(Box<crate::domain::attendance::Participants>),
    /// The record's chain is broken, or no longer extends what this account
    /// saw (None: it holds).
    Integrity(Option<crate::domain::chain::Break>),
    /// The database path no longer names the open file, and why.
    DatabaseGone(String),
    /// The file now at the database path was opened.
    Reopened,
    /// The database server cannot be reached (and why); the worker keeps
    /// trying.
    ServerUnreachable(String),
    /// The server answers again, and what was missed has been read.
    ServerBack,
    /// A page of a search's matches (the request's query and cursor, so a
    /// page of an earlier search is told apart).
    SearchResults {
        query: SearchQuery,
        before: Option<EntryKey>,
        page: SearchPage,
    },
    /// A page of the attached incident's timeline (the request's anchor, so
    /// a page asked for an older window is told apart), or why it could not
    /// be read.
    TimelinePage {
        incident: i64,
        anchor: WindowAnchor,
        window: Result<TimelineWindow, String>,
    },
    /// An evidence entry's output, read for the viewer (or why it could not be).
    EvidenceLoaded {
        event_id: i64,
        result: Result<Box<EvidenceOutput>, String>,
    },
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
    /// Who is here, read again at each of this console's heartbeats (None:
    /// as before; others' heartbeats come no faster).
    pub presence: Option<Vec<Presence>>,
    /// How many are here and the responder-hours so far (None: no incident,
    /// or not readable).
    pub attendance: Option<crate::store::AttendanceSummary>,
    pub read_only: bool,
}

/// The attached incident, whole or as the changes since the last snapshot.
#[derive(Debug, Clone)]
pub enum IncidentData {
    /// No open incident yet.
    None,
    Full(IncidentRecord),
    Update(IncidentUpdate),
    /// Nothing was logged of the incident since the last snapshot (others
    /// only said they are here).
    Unchanged,
}

impl Snapshot {
    /// A whole incident (or none), nobody else attached.
    pub fn of(record: Option<IncidentRecord>, read_only: bool) -> Snapshot {
        Snapshot {
            incident: record.map_or(IncidentData::None, IncidentData::Full),
            presence: Some(Vec::new()),
            attendance: None,
            read_only,
        }
    }

    /// What changed since the last snapshot, nobody else attached.
    pub fn update(update: IncidentUpdate, read_only: bool) -> Snapshot {
        Snapshot {
            incident: IncidentData::Update(update),
            ..Snapshot::of(None, read_only)
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
        /// When it was detected (RFC 3339, checked on the start screen);
        /// None: when declared.
        detected_at: Option<String>,
        /// The runbook chosen: the name recorded, and its text.
        runbook: (String, String),
        /// Declared as a drill (the start screen's toggle).
        drill: bool,
    },
    /// A checked write of incident command (the core's, as the CLI's).
    Apply(Attempt),
    /// Compute the metrics across incidents (for the metrics view).
    Metrics,
    /// Who took part in the attached incident (for `:who`).
    Who,
    /// Open the file now at the database path (after it was removed or replaced).
    Reopen,
    /// Entries of incident `incident`'s timeline at `anchor` (a page).
    TimelinePage { incident: i64, anchor: WindowAnchor },
    /// A page of the attached incident's entries matching `query`, newest
    /// first, from before `before` (None: the newest).
    Search {
        query: SearchQuery,
        before: Option<EntryKey>,
    },
    /// An evidence entry's output, for the viewer (reads only).
    EvidenceOutput { incident_id: i64, event_id: i64 },
}

/// The text of a note or status update being sent, so a failed write can
/// give it back to the composer.
pub(super) fn entry_text(request: &Request) -> Option<(EntryKind, &str)> {
    match request {
        Request::Apply(Attempt {
            write: Write::Entry { kind, text, .. },
            ..
        }) => Some((*kind, text)),
        _ => None,
    }
}
