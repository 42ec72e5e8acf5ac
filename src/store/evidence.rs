//! Evidence on the record: the entry (its facts in the event's data, under
//! the chain) and the output kept beside it in `evidence_output`, written in
//! the same transaction. The timeline's reads never touch the output; it is
//! read one entry at a time, and checked against the size and SHA-256 the
//! entry recorded: anyone in the group can write that table with the file
//! itself, so what it holds is shown as altered when it does not match.

use super::record::Act;
use super::sql::{Tx, params};
use super::{Result, Store, StoreError};
use crate::domain::event::EventData;
use crate::domain::evidence::{Evidence, KEPT_BYTES};
use crate::domain::{EntryKind, TimelineEntry};

/// An evidence entry with its output as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceOutput {
    pub entry: TimelineEntry,
    pub evidence: Evidence,
    pub output: StoredOutput,
}

/// The stored output, as checked against the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredOutput {
    /// The bytes the entry recorded.
    Intact(Vec<u8>),
    /// No row for the entry (removed with the file itself).
    Missing,
    /// A row that does not match what the entry recorded: said, and its
    /// bytes kept only to be shown as such.
    Altered { bytes: Vec<u8>, problem: String },
}

impl StoredOutput {
    /// What is wrong, in words (None: intact).
    pub fn problem(&self) -> Option<String> {
        match self {
            StoredOutput::Intact(_) => None,
            StoredOutput::Missing => Some("the stored output is missing".into()),
            StoredOutput::Altered { problem, .. } => Some(problem.clone()),
        }
    }
}

impl Store {
    /// Records evidence as one entry of `act.incident_id`, at `act.at`, with
    /// `output` (the bytes kept, as `evidence` describes them) beside it.
    /// A retry of the same UUID records nothing more. Returns the entry.
    pub fn add_evidence(
        &mut self,
        act: &Act<'_>,
        evidence: &Evidence,
        output: &[u8],
        pinned: bool,
    ) -> Result<TimelineEntry> {
        if output.len() > KEPT_BYTES {
            return Err(StoreError::Invalid(format!(
                "evidence output is kept up to {KEPT_BYTES} bytes, not {}",
                output.len()
            )));
        }
        evidence.check_stored(output).map_err(StoreError::Invalid)?;
        self.log(|log| {
            log.act(
                act,
                |_, _| Ok(()),
                |_| {
                    let mut row = act.event(
                        EntryKind::Evidence,
                        evidence.entry_text(),
                        EventData::Evidence(evidence.clone()),
                    );
                    row.pinned = pinned;
                    Ok((row, ()))
                },
            )?;
            let entry = log.entry(act.uuid)?;
            log.tx.execute(
                "INSERT INTO evidence_output (event_id, incident_id, output) VALUES (?1, ?2, ?3)
                 ON CONFLICT (event_id) DO NOTHING",
                params![entry.id, act.incident_id, output],
            )?;
            Ok(entry)
        })
    }

    /// Evidence entry `event_id` of incident `incident_id` and its output,
    /// checked against what the entry recorded.
    pub fn evidence_output(&mut self, incident_id: i64, event_id: i64) -> Result<EvidenceOutput> {
        self.read(|tx| {
            let entry = tx
                .query_opt(
                    &format!("{} WHERE incident_id = ?1 AND id = ?2", super::read::SELECT_EVENT),
                    params![incident_id, event_id],
                )?
                .as_ref()
                .map(super::read::event_from_row)
                .transpose()?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("incident {incident_id} has no entry #{event_id}"))
                })?;
            let Some(EventData::Evidence(evidence)) = entry.data.as_deref().cloned() else {
                return Err(StoreError::NotFound(format!("entry #{event_id} is not evidence")));
            };
            let output = stored_output(tx, &evidence, event_id)?;
            Ok(EvidenceOutput {
                entry,
                evidence,
                output,
            })
        })
    }

    /// The ids of incident `incident_id`'s evidence entries up to event
    /// `up_to_id`, in the order things happened (the export's appendix).
    pub fn evidence_ids(&mut self, incident_id: i64, up_to_id: i64) -> Result<Vec<i64>> {
        self.read(|tx| {
            tx.query_map(
                "SELECT id FROM events WHERE incident_id = ?1 AND kind = ?2 AND id <= ?3
                 ORDER BY occurred_at, id",
                params![incident_id, EntryKind::Evidence.as_str(), up_to_id],
                |row| row.get(0),
            )
        })
    }

    /// Every evidence entry of the record whose stored output no longer
    /// matches it, with what is wrong (for `verify`).
    pub fn evidence_problems(&mut self) -> Result<Vec<(i64, String)>> {
        let entries: Vec<(i64, i64)> = self.read(|tx| {
            tx.query_map(
                "SELECT id, incident_id FROM events WHERE kind = ?1 ORDER BY id",
                params![EntryKind::Evidence.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
        })?;
        let mut problems = Vec::new();
        // One output in memory at a time.
        for (event_id, incident_id) in entries {
            let problem = match self.evidence_output(incident_id, event_id) {
                Ok(found) => found.output.problem(),
                Err(StoreError::NotFound(_)) => Some("its recorded facts are not readable".into()),
                Err(e) => return Err(e),
            };
            if let Some(problem) = problem {
                problems.push((event_id, problem));
            }
        }
        Ok(problems)
    }
}

fn stored_output(tx: &Tx<'_>, evidence: &Evidence, event_id: i64) -> Result<StoredOutput> {
    let Some(row) = tx.query_opt(
        "SELECT output, incident_id FROM evidence_output WHERE event_id = ?1",
        params![event_id],
    )?
    else {
        return Ok(StoredOutput::Missing);
    };
    // A value of another type (a hand-written row) is no output at all.
    let Some(bytes) = row.get_lenient::<Vec<u8>>(0) else {
        return Ok(StoredOutput::Altered {
            bytes: Vec::new(),
            problem: "the stored output is not bytes".into(),
        });
    };
    Ok(match evidence.check_stored(&bytes) {
        Ok(()) => StoredOutput::Intact(bytes),
        Err(problem) => StoredOutput::Altered { bytes, problem },
    })
}
