//! The store worker: the only thread that touches SQLite for the console.
//! It applies writes, notices other processes' commits, and sends snapshots,
//! so the drawing path never waits on the database.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Event, Request, Snapshot};
use crate::domain::{Milestones, sanitize_line};
use crate::runbook::{self, DEFAULT_RUNBOOK, DEFAULT_RUNBOOK_NAME};
use crate::store::{CheckOutcome, NewEntry, NewIncident, Store, StoreError};

/// How often other processes' commits are looked for (`PRAGMA data_version`
/// costs microseconds).
const POLL: Duration = Duration::from_millis(200);

pub struct Worker {
    pub store: Store,
    /// The incident shown; None until one is open.
    pub incident: Option<i64>,
    pub account: String,
}

impl Worker {
    /// Runs until the console drops its request sender.
    pub fn run(mut self, requests: Receiver<Request>, events: UnboundedSender<Event>) {
        let mut seen_version = None;
        let mut stale = true;
        loop {
            if stale || self.store.data_version().ok() != seen_version {
                seen_version = self.store.data_version().ok();
                stale = false;
                let event = match self.snapshot() {
                    Ok(snapshot) => Event::Snapshot(Box::new(snapshot)),
                    Err(e) => Event::Problem(format!("cannot read the incident: {e}")),
                };
                if events.send(event).is_err() {
                    return;
                }
            }
            match requests.recv_timeout(POLL) {
                Ok(request) => {
                    let result = self.apply(&request);
                    stale = true;
                    let event = match result {
                        Ok(None) => Event::Wrote(request),
                        Ok(Some(notice)) => Event::Info(notice),
                        Err(e) => Event::WriteFailed {
                            request,
                            message: e.to_string(),
                        },
                    };
                    if events.send(event).is_err() {
                        return;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn snapshot(&mut self) -> Result<Snapshot, StoreError> {
        if self.incident.is_none() {
            self.incident = self.store.latest_open_incident()?;
        }
        let record = match self.incident {
            Some(id) => Some(self.store.incident_record(id)?),
            None => None,
        };
        Ok(Snapshot {
            record,
            read_only: self.store.is_read_only(),
        })
    }

    /// Applies one write; returns a notice when it changed nothing.
    fn apply(&mut self, request: &Request) -> Result<Option<String>, StoreError> {
        match request {
            Request::Declare {
                uuid,
                title,
                severity,
            } => {
                let parsed = runbook::parse(DEFAULT_RUNBOOK)
                    .map_err(|e| StoreError::Invalid(format!("built-in runbook: {e}")))?;
                let id = self.store.declare(&NewIncident {
                    uuid: uuid.clone(),
                    title: title.clone(),
                    severity: *severity,
                    milestones: Milestones::new(Utc::now()),
                    declared_by: self.account.clone(),
                    runbook_name: DEFAULT_RUNBOOK_NAME.to_string(),
                    runbook_text: DEFAULT_RUNBOOK.to_string(),
                    runbook: &parsed,
                })?;
                self.incident = Some(id);
            }
            Request::AddEntry {
                uuid,
                incident_id,
                kind,
                text,
            } => {
                self.store.add_entry(
                    *incident_id,
                    &NewEntry {
                        uuid: uuid.clone(),
                        kind: *kind,
                        occurred_at: Utc::now(),
                        author: self.account.clone(),
                        text: text.clone(),
                        pinned: false,
                    },
                )?;
            }
            Request::SetItem {
                uuid,
                incident_id,
                key,
                state,
            } => {
                let outcome =
                    self.store
                        .set_item_state(*incident_id, key, *state, &self.account, Utc::now(), uuid)?;
                if let CheckOutcome::AlreadySo { item } = outcome {
                    let by = item
                        .changed_by
                        .map(|who| format!(" by {}", sanitize_line(&who)))
                        .unwrap_or_default();
                    return Ok(Some(format!(
                        "{} {} was already {}{by}",
                        item.key, item.name, item.state
                    )));
                }
            }
        }
        Ok(None)
    }
}
