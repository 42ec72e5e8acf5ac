//! Attendance: what the presence heartbeat leaves behind for the
//! post-mortem. Each heartbeat of a console attached to an incident extends
//! its span (a new one after a gap longer than the presence timeout), and
//! marks the minute when keys were typed since the last beat; the goodbye
//! closes the span. Written in the heartbeat's own transaction, stamped by
//! the server's clock like presence; never part of the record.
//!
//! Any member can write these tables (the file is group-writable; on a
//! server, responders may insert and update them), so nothing read here is
//! trusted: [`crate::domain::attendance`] drops rows that are not well
//! formed and clamps every span to the incident's life, and reads are
//! bounded.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::sql::{Tx, params};
use super::{Result, Store, from_millis, to_millis};
use crate::domain::attendance::{
    ACTIVITY_BUCKET_MS, AttendanceFacts, Life, Participants, RoleChange, Span, participants, tenures,
};
use crate::domain::event::EventData;
use crate::domain::metrics::{ActionFacts, Filter, IncidentFacts, Report, compute_with_attendance};
use crate::domain::presence::{PRESENCE_TIMEOUT, Presence};
use crate::domain::{EntryKind, Incident};

/// At most this many spans and activity rows are read per incident: far
/// more than real consoles make (a console a minute for a week is 10,080
/// spans), so rows planted by the thousand cannot exhaust a reader.
const MAX_SPANS: i64 = 20_000;
const MAX_ACTIVITY_ROWS: i64 = 500_000;

/// What the console's incident pane shows.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AttendanceSummary {
    /// Accounts with a console attached to the incident now.
    pub here: usize,
    /// Responder-hours attached so far.
    pub attached_hours: f64,
}

/// Records this heartbeat in `me.incident_id`'s attendance, at `seen_at`
/// (already in the server's clock), and the minute as active when `active`.
pub(super) fn record_heartbeat(
    tx: &Tx<'_>,
    me: &Presence,
    since: i64,
    seen_at: i64,
    active: bool,
) -> Result<()> {
    let Some(incident_id) = me.incident_id else {
        return Ok(());
    };
    let extended = tx.execute(
        "UPDATE attendance SET last_seen_at = ?4
         WHERE incident_id = ?1 AND session = ?2 AND said_goodbye = 0
           AND last_seen_at >= ?3 AND last_seen_at <= ?4",
        params![
            incident_id,
            me.session,
            seen_at - PRESENCE_TIMEOUT.num_milliseconds(),
            seen_at
        ],
    )?;
    if extended == 0 {
        // The console's first incident counts from its start (it opened on
        // it, the first beat may come up to a heartbeat later); another, or
        // the same after a gap, from this beat.
        let first_of_session = tx
            .query_opt(
                "SELECT 1 FROM attendance WHERE session = ?1 LIMIT 1",
                params![me.session],
            )?
            .is_none();
        let attached_at = if first_of_session {
            since.min(seen_at)
        } else {
            seen_at
        };
        tx.execute(
            "INSERT INTO attendance (incident_id, session, attached_at, account, host, terminal, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (incident_id, session, attached_at) DO NOTHING",
            params![
                incident_id,
                me.session,
                attached_at,
                me.account,
                me.host,
                me.terminal,
                seen_at
            ],
        )?;
    }
    if active {
        tx.execute(
            "INSERT INTO attendance_activity (incident_id, session, minute) VALUES (?1, ?2, ?3)
             ON CONFLICT (incident_id, session, minute) DO NOTHING",
            params![incident_id, me.session, seen_at.div_euclid(ACTIVITY_BUCKET_MS)],
        )?;
    }
    Ok(())
}

/// Closes the session's span that is still open: the console said goodbye
/// at `now` (server clock).
pub(super) fn record_goodbye(tx: &Tx<'_>, session: &str, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE attendance SET last_seen_at = ?2, said_goodbye = 1
         WHERE session = ?1 AND said_goodbye = 0 AND last_seen_at >= ?3 AND last_seen_at <= ?2",
        params![session, now, now - PRESENCE_TIMEOUT.num_milliseconds()],
    )?;
    Ok(())
}

/// The incident's spans as stored (in the server's clock).
fn spans_in(tx: &Tx<'_>, incident_id: i64) -> Result<Vec<Span>> {
    let rows = tx.query(
        "SELECT session, account, host, terminal, attached_at, last_seen_at, said_goodbye
         FROM attendance WHERE incident_id = ?1 ORDER BY attached_at, session LIMIT ?2",
        params![incident_id, MAX_SPANS],
    )?;
    // A row of the wrong shape (text in a time) is one planted: left out.
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Span {
                session: r.get_lenient(0)?,
                incident_id,
                account: r.get_lenient(1)?,
                host: r.get_lenient::<Option<String>>(2)?.unwrap_or_default(),
                terminal: r.get_lenient(3)?,
                attached_at: from_millis(r.get_lenient::<i64>(4)?),
                last_seen_at: from_millis(r.get_lenient::<i64>(5)?),
                said_goodbye: r.get_lenient::<i64>(6)? != 0,
            })
        })
        .collect())
}

/// Everything the participants of one incident are made of.
fn facts_in(
    tx: &Tx<'_>,
    incident: &Incident,
    role_names: &BTreeMap<String, String>,
) -> Result<AttendanceFacts> {
    let id = incident.id;
    // Spans and activity minutes compare as stored, in the server's clock
    // (the one clock all hosts share).
    let spans = spans_in(tx, id)?;
    let activity = tx
        .query(
            "SELECT session, minute FROM attendance_activity WHERE incident_id = ?1 LIMIT ?2",
            params![id, MAX_ACTIVITY_ROWS],
        )?
        .iter()
        .filter_map(|r| Some((r.get_lenient(0)?, r.get_lenient(1)?)))
        .collect();
    // Entries and the minutes they were recorded in, per author, from the
    // index events_by_author (never the timeline itself).
    let mut writes: BTreeMap<String, (u64, BTreeSet<i64>)> = BTreeMap::new();
    for row in tx.query(
        "SELECT author, recorded_at / ?2, count(*) FROM events WHERE incident_id = ?1
         GROUP BY author, recorded_at / ?2",
        params![id, ACTIVITY_BUCKET_MS],
    )? {
        let author: String = row.get(0)?;
        let entry = writes.entry(author).or_default();
        entry.0 += u64::try_from(row.get::<i64>(2)?).unwrap_or(0);
        entry.1.insert(row.get(1)?);
    }
    let changes: Vec<RoleChange> = tx
        .query_map(
            "SELECT occurred_at, data FROM events WHERE incident_id = ?1 AND kind = ?2
             ORDER BY occurred_at, id",
            params![id, EntryKind::RoleChange.as_str()],
            |r| Ok((r.get::<i64>(0)?, r.get::<Option<String>>(1)?)),
        )?
        .into_iter()
        .filter_map(
            |(at, data)| match data.as_deref().and_then(EventData::from_json)? {
                EventData::Role { role, to, .. } => Some(RoleChange {
                    at: from_millis(at),
                    role,
                    to,
                }),
                _ => None,
            },
        )
        .collect();
    let name_of = |key: &str| role_names.get(key).cloned().unwrap_or_else(|| key.to_string());
    Ok(AttendanceFacts {
        spans,
        activity,
        writes,
        tenures: tenures(
            &incident.declared_by,
            incident.milestones.declared_at,
            &changes,
            name_of,
        ),
    })
}

/// Role key → name, from the incident's role holders (every role that was
/// ever handed over has a row there).
fn role_names(tx: &Tx<'_>, incident_id: i64) -> Result<BTreeMap<String, String>> {
    Ok(super::read::roles_in(tx, incident_id)?
        .into_iter()
        .map(|holder| (holder.role, holder.name))
        .collect())
}

/// How far the server's clock is ahead of this host's, in ms (zero for a file).
fn server_ahead_ms(tx: &Tx<'_>, local_now: DateTime<Utc>) -> Result<i64> {
    Ok(tx
        .server_clock()?
        .map_or(0, |server| server - to_millis(local_now)))
}

impl Store {
    /// Who took part in incident `incident_id`, as of `now` (this host's
    /// clock): for the post-mortem's Participants and `:who`.
    pub fn participants(&mut self, incident_id: i64, now: DateTime<Utc>) -> Result<Participants> {
        self.read(|tx| {
            let incident = super::read::incident_in(tx, incident_id)?;
            let facts = facts_in(tx, &incident, &role_names(tx, incident_id)?)?;
            // Stored times are the server's; "now" is read in it too.
            let now = now + chrono::TimeDelta::milliseconds(server_ahead_ms(tx, now)?);
            Ok(participants(&facts, &Life::of(&incident.milestones, now), now))
        })
    }

    /// How many are here and the responder-hours so far, for the console's
    /// incident pane (spans only: cheap enough for every reload).
    pub fn attendance_summary(&mut self, incident_id: i64, now: DateTime<Utc>) -> Result<AttendanceSummary> {
        self.read(|tx| {
            let incident = super::read::incident_in(tx, incident_id)?;
            let now = now + chrono::TimeDelta::milliseconds(server_ahead_ms(tx, now)?);
            let facts = AttendanceFacts {
                spans: spans_in(tx, incident_id)?,
                ..Default::default()
            };
            let people = participants(&facts, &Life::of(&incident.milestones, now), now);
            Ok(AttendanceSummary {
                here: people.here_now,
                attached_hours: people.attached_hours(),
            })
        })
    }

    /// The metrics across every incident that passes `filter`, with
    /// responder-hours and the estimated cost of `cost`.
    pub fn metrics_with_cost(
        &mut self,
        filter: &Filter,
        now: DateTime<Utc>,
        cost: &crate::domain::attendance::CostConfig,
    ) -> Result<Report> {
        let incidents = self.incidents(true)?;
        let actions: Vec<ActionFacts> = self.all_action_items()?.iter().map(ActionFacts::from).collect();
        let facts: Vec<IncidentFacts> = incidents.iter().map(IncidentFacts::from).collect();
        let attendance = self.read(|tx| {
            let mut all = BTreeMap::new();
            for incident in incidents
                .iter()
                .filter(|i| filter.matches(&IncidentFacts::from(*i)))
            {
                all.insert(
                    incident.id,
                    facts_in(tx, incident, &role_names(tx, incident.id)?)?,
                );
            }
            Ok(all)
        })?;
        Ok(compute_with_attendance(
            &facts,
            &actions,
            &attendance,
            cost,
            filter,
            now,
        ))
    }
}
