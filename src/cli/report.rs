//! Text and JSON views of incidents for the command line. Every string from
//! the database passes through the sanitizer on its way out.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write;

use chrono::{DateTime, Local, SecondsFormat, Utc};
use color_eyre::eyre::Result;
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Value, json};

use crate::domain::action::ActionItem;
use crate::domain::attendance::{ACTIVE_DEFINITION, ATTACHED_DEFINITION, Participants};
use crate::domain::time::format_duration;
use crate::domain::timer::TimerState;
use crate::domain::{
    ChecklistItem, Incident, ItemState, Milestone, TimelineEntry, escape_json_output, sanitize, sanitize_line,
};
use crate::safe_output::SafeLines;
use crate::store::{IncidentRecord, Store, TimelinePages};

/// `2026-03-01 14:05` in the reader's local time zone.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn state_marker(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => "[ ]",
        ItemState::Done => "[x]",
        ItemState::NotApplicable => "[-]",
    }
}

/// One checklist item with its state and who set it.
pub fn item_line(item: &ChecklistItem) -> String {
    let mut line = format!(
        "{} {:<5} {}",
        state_marker(item.state),
        sanitize_line(&item.key),
        sanitize_line(&item.name)
    );
    if let (Some(by), Some(at)) = (&item.changed_by, item.changed_at) {
        let _ = write!(
            line,
            "  ({} by {} at {})",
            item.state,
            sanitize_line(by),
            local_time(at)
        );
    }
    line
}

pub fn incidents_table(incidents: &[Incident], now: DateTime<Utc>) -> String {
    if incidents.is_empty() {
        return "No incidents.\n".into();
    }
    let mut out = format!(
        "{:>4}  {:<3}  {:<12}  {:<16}  {:>7}  TITLE\n",
        "ID", "SEV", "STATUS", "DECLARED", "AGE"
    );
    for incident in incidents {
        let _ = writeln!(
            out,
            "{:>4}  {:<3}  {:<12}  {:<16}  {:>7}  {}",
            incident.id,
            incident.severity,
            incident.status(),
            local_time(incident.milestones.declared_at),
            format_duration(now - incident.milestones.declared_at),
            titled(incident)
        );
    }
    out
}

/// The title as lists and `show` print it: a drill says so first.
fn titled(incident: &Incident) -> String {
    let drill = if incident.drill { "DRILL " } else { "" };
    format!("{drill}{}", sanitize_line(&incident.title))
}

pub fn record_text(record: &IncidentRecord, now: DateTime<Utc>) -> String {
    let incident = &record.incident;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Incident {} [{} {}] {}",
        incident.id,
        incident.severity,
        incident.severity.label(),
        titled(incident)
    );
    let _ = writeln!(
        out,
        "Status: {} · declared by {} {} ago · runbook: {}",
        incident.status(),
        sanitize_line(&incident.declared_by),
        format_duration(now - incident.milestones.declared_at),
        sanitize_line(&incident.runbook_name)
    );
    for holder in &record.roles {
        let _ = writeln!(
            out,
            "{}: {} since {}",
            sanitize_line(&holder.name),
            sanitize_line(&holder.account),
            local_time(holder.since)
        );
    }
    for timer in record.timers.iter().filter(|t| t.state == TimerState::Running) {
        let _ = writeln!(
            out,
            "Timer {}: {} at {}",
            timer.id,
            sanitize_line(&timer.label),
            local_time(timer.deadline)
        );
    }
    out.push_str("\nMilestones\n");
    for (milestone, at) in incident.milestones.recorded() {
        let _ = writeln!(out, "  {:<13} {}", milestone.as_str(), local_time(at));
    }

    let done = record.checklist.iter().filter(|i| i.state.is_closed()).count();
    let _ = writeln!(out, "\nChecklist ({done}/{} done)", record.checklist.len());
    let mut section: Option<&str> = None;
    for item in &record.checklist {
        if section != Some(item.section.as_str()) {
            let _ = writeln!(out, "  {}", sanitize_line(&item.section));
            section = Some(&item.section);
        }
        let _ = writeln!(out, "    {}", item_line(item));
    }

    let _ = writeln!(out, "\nTimeline ({} entries)", record.timeline.len());
    for entry in &record.timeline {
        let mut text = sanitize(&entry.text).into_owned();
        // Backdated or imported: say when it was written down, as the console does.
        if let Some(recorded_at) = entry.recorded_later() {
            let _ = write!(text, " [recorded {}]", local_time(recorded_at));
        }
        let mut lines = text.lines();
        // The entry's id first: `warroom pin ID` and `verify` name entries by it.
        let _ = writeln!(
            out,
            "  {:>6} {} {}{:<16} {:<12} {}",
            format!("#{}", entry.id),
            local_time(entry.occurred_at),
            if entry.pinned { "*" } else { " " },
            entry.kind.as_str(),
            sanitize_line(&entry.author),
            lines.next().unwrap_or("")
        );
        for line in lines {
            let _ = writeln!(out, "  {:54} {line}", "");
        }
    }
    out
}

pub fn incident_json(incident: &Incident) -> Value {
    let mut milestones = serde_json::Map::new();
    for milestone in Milestone::ALL {
        milestones.insert(
            format!("{}_at", milestone.as_str()),
            incident.milestones.get(milestone).map(rfc3339).into(),
        );
    }
    let mut value = json!({
        "id": incident.id,
        "uuid": incident.uuid,
        "title": incident.title,
        "severity": incident.severity.as_str(),
        "status": incident.status().as_str(),
        "declared_by": incident.declared_by,
        "runbook": incident.runbook_name,
        "drill": incident.drill,
        "phase": incident.phase + 1,
        "severity_changed_at": incident.severity_changed_at.map(rfc3339),
    });
    value.as_object_mut().expect("json! object").extend(milestones);
    value
}

pub fn incidents_json(incidents: &[Incident]) -> Value {
    Value::Array(incidents.iter().map(incident_json).collect())
}

pub fn record_json(record: &IncidentRecord) -> Value {
    let mut value = incident_json(&record.incident);
    let checklist: Vec<Value> = record
        .checklist
        .iter()
        .map(|item| {
            json!({
                "key": item.key,
                "section": item.section,
                "name": item.name,
                "description": item.description,
                "state": item.state.as_str(),
                "changed_by": item.changed_by,
                "changed_at": item.changed_at.map(rfc3339),
            })
        })
        .collect();
    let timeline: Vec<Value> = record.timeline.iter().map(entry_json).collect();
    let timers: Vec<Value> = record
        .timers
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "label": t.label,
                "deadline": rfc3339(t.deadline),
                "started_by": t.started_by,
                "started_at": rfc3339(t.started_at),
                "state": t.state.as_str(),
            })
        })
        .collect();
    let roles: Vec<Value> = record
        .roles
        .iter()
        .map(|r| json!({ "role": r.role, "name": r.name, "account": r.account, "since": rfc3339(r.since) }))
        .collect();
    let object = value.as_object_mut().expect("json! object");
    object.insert("roles".into(), roles.into());
    object.insert("timers".into(), timers.into());
    object.insert("checklist".into(), checklist.into());
    object.insert("timeline".into(), timeline.into());
    value
}

/// One timeline entry of `show --json` and the JSON export.
pub fn entry_json(entry: &TimelineEntry) -> Value {
    json!({
        "id": entry.id,
        "uuid": entry.uuid,
        "kind": entry.kind.as_str(),
        "occurred_at": rfc3339(entry.occurred_at),
        "recorded_at": rfc3339(entry.recorded_at),
        "author": entry.author,
        "text": entry.text,
        "pinned": entry.pinned,
    })
}

/// An evidence entry's facts and its output whole (as kept): `output` as
/// text when it is text, else `output_base64`; `output_problem` says when
/// the stored bytes no longer match the entry (they are then left out).
pub fn evidence_json(store: &mut Store, event_id: i64) -> Result<Value, crate::store::StoreError> {
    use crate::store::StoredOutput;
    use base64::Engine;
    let incident_id = store.incident_of_entry(event_id)?.unwrap_or_default();
    let found = store.evidence_output(incident_id, event_id)?;
    let e = &found.evidence;
    let (command, path) = match &e.source {
        crate::domain::evidence::Source::Run { command } => (Some(command), None),
        crate::domain::evidence::Source::File { path } => (None, Some(path)),
    };
    let (mut output, mut output_base64) = (Value::Null, Value::Null);
    if let StoredOutput::Intact(bytes) = &found.output {
        match std::str::from_utf8(bytes) {
            Ok(text) if !e.binary => output = text.into(),
            _ => output_base64 = base64::engine::general_purpose::STANDARD.encode(bytes).into(),
        }
    }
    Ok(json!({
        "command": command,
        "file": path,
        "host": e.host,
        "cwd": e.cwd,
        "started_at": rfc3339(e.started_at),
        "ended_at": rfc3339(e.ended_at),
        "exit_code": e.exit.and_then(|x| match x { crate::domain::evidence::Exit::Code(c) => Some(c), _ => None }),
        "signal": e.exit.and_then(|x| match x { crate::domain::evidence::Exit::Signal(s) => Some(crate::domain::evidence::signal_name(s)), _ => None }),
        "bytes": e.bytes,
        "sha256": e.sha256,
        "stored_bytes": e.stored_bytes,
        "stored_sha256": e.stored_sha256,
        "truncated": e.truncated,
        "binary": e.binary,
        "output": output,
        "output_base64": output_base64,
        "output_problem": found.output.problem(),
    }))
}

/// The post-mortem's Participants as JSON (times RFC 3339, durations in
/// seconds and hours).
pub fn participants_json(participants: &Participants) -> Value {
    let people: Vec<Value> = participants
        .people
        .iter()
        .map(|p| {
            let roles: Vec<Value> = p
                .roles
                .iter()
                .map(|t| {
                    json!({
                        "role": t.role,
                        "name": t.name,
                        "from": rfc3339(t.from),
                        "to": t.to.map(rfc3339),
                        "commander": t.is_commander(),
                        "handed_over_by": t.handed_over_by,
                        "handed_over_to": t.handed_over_to,
                    })
                })
                .collect();
            let sessions: Vec<Value> = p
                .sessions
                .iter()
                .map(|s| {
                    json!({
                        "host": s.host,
                        "terminal": s.terminal,
                        "attached_at": rfc3339(s.attached_at),
                        "left_at": rfc3339(s.last_seen_at),
                        "said_goodbye": s.said_goodbye,
                    })
                })
                .collect();
            json!({
                "account": p.account,
                "roles": roles,
                "first_joined": p.first_joined.map(rfc3339),
                "last_left": p.last_left.map(rfc3339),
                "here_now": p.here_now,
                "attached_secs": p.attached_secs,
                "active_secs": p.active_secs,
                "entries_written": p.entries_written,
                "sessions": sessions,
            })
        })
        .collect();
    json!({
        "attached_definition": ATTACHED_DEFINITION,
        "active_definition": ACTIVE_DEFINITION,
        "here_now": participants.here_now,
        "attached_secs": participants.attached_secs,
        "active_secs": participants.active_secs,
        "attached_hours": participants.attached_hours(),
        "active_hours": participants.active_hours(),
        "ignored_rows": participants.ignored_rows,
        "people": people,
    })
}

/// Writes `record` (the JSON of an [`crate::store::IncidentOutline`]'s
/// record, whose `timeline` is empty) as [`print_json`] would print it
/// with its timeline, the entries read from `store` a page at a time and
/// written as they come: the same bytes, in the memory of a page.
pub fn write_record_json(
    record: &Value,
    store: &mut Store,
    pages: TimelinePages,
    out: impl Write,
) -> Result<()> {
    let head = record.as_object().expect("a record's JSON is an object");
    let streamed = StreamedRecord {
        head,
        timeline: StreamedTimeline {
            walk: RefCell::new((store, pages)),
        },
    };
    let mut lines = SafeLines::new(out, escape_json_output);
    serde_json::to_writer_pretty(&mut lines, &streamed)?;
    lines.write_all(b"\n")?;
    lines.finish()?;
    Ok(())
}

/// A record's JSON whose `timeline` is read as it is written.
struct StreamedRecord<'a> {
    head: &'a serde_json::Map<String, Value>,
    timeline: StreamedTimeline<'a>,
}

impl Serialize for StreamedRecord<'_> {
    /// As serde_json writes a map, with the timeline in its place.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.head.len()))?;
        for (key, value) in self.head {
            if key == "timeline" {
                map.serialize_entry(key, &self.timeline)?;
            } else {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

struct StreamedTimeline<'a> {
    walk: RefCell<(&'a mut Store, TimelinePages)>,
}

impl Serialize for StreamedTimeline<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut walk = self.walk.borrow_mut();
        let (store, pages) = &mut *walk;
        let mut entries = serializer.serialize_seq(None)?;
        loop {
            let page = pages
                .next_page(store)
                .map_err(|e| S::Error::custom(format!("cannot read the timeline: {e}")))?;
            if page.is_empty() {
                return entries.end();
            }
            for entry in &page {
                let mut value = entry_json(entry);
                if entry.kind == crate::domain::EntryKind::Evidence {
                    let evidence = evidence_json(store, entry.id)
                        .map_err(|e| S::Error::custom(format!("cannot read evidence #{}: {e}", entry.id)))?;
                    value["evidence"] = evidence;
                }
                entries.serialize_element(&value)?;
            }
        }
    }
}

/// `export --format json`: the whole record, action items and the post-mortem.
pub fn export_json(record: &IncidentRecord) -> Value {
    let mut value = record_json(record);
    let object = value.as_object_mut().expect("json! object");
    object.insert("action_items".into(), actions_json(&record.actions));
    object.insert(
        "postmortem_due_at".into(),
        record.incident.postmortem_due().map(rfc3339).into(),
    );
    object.insert(
        "postmortem_done_at".into(),
        record.incident.postmortem_done_at.map(rfc3339).into(),
    );
    value
}

pub fn actions_json(items: &[ActionItem]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "incident_id": a.incident_id,
                    "text": a.text,
                    "owner": a.owner,
                    "due_at": a.due_at.map(rfc3339),
                    "created_by": a.created_by,
                    "created_at": rfc3339(a.created_at),
                    "done_by": a.done_by,
                    "done_at": a.done_at.map(rfc3339),
                })
            })
            .collect(),
    )
}

pub fn actions_table(items: &[ActionItem], now: DateTime<Utc>) -> String {
    if items.is_empty() {
        return "No action items.\n".into();
    }
    let mut out = format!(
        "{:>4}  {:>8}  {:<10}  {:<16}  {:<12}  TEXT\n",
        "ID", "INCIDENT", "OWNER", "DUE", "STATE"
    );
    for a in items {
        let state = if a.is_done() {
            "done"
        } else if a.is_overdue(now) {
            "OVERDUE"
        } else {
            "open"
        };
        let _ = writeln!(
            out,
            "{:>4}  {:>8}  {:<10}  {:<16}  {:<12}  {}",
            a.id,
            a.incident_id,
            sanitize_line(a.owner.as_deref().unwrap_or("-")),
            a.due_at.map(local_time).unwrap_or_else(|| "-".into()),
            state,
            sanitize_line(&a.text)
        );
    }
    out
}

/// Pretty JSON on stdout, with anything a terminal could act on escaped.
pub fn print_json(value: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", escape_json_output(&text))?;
    Ok(())
}

/// `warroom verify` as text.
pub fn verification_text(
    database: &crate::store::Location,
    verification: &crate::witness::Verification,
    incident: Option<&IncidentRecord>,
) -> String {
    let v = verification;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Record {}: {} events, chain head #{} {}",
        database,
        v.events,
        v.head.0,
        v.head_hex()
    );
    let _ = match &v.chain_break {
        None => writeln!(out, "Chain:      intact"),
        Some(broken) => writeln!(out, "Chain:      BROKEN: {}", broken.describe()),
    };
    let _ = match (&v.seen_break, v.seen_up_to) {
        (Some(broken), _) => writeln!(out, "You saw:    NOT EXTENDED: {}", broken.describe()),
        (None, Some(up_to)) => writeln!(
            out,
            "You saw:    events up to #{up_to} before; the record still extends them unchanged"
        ),
        (None, None) => writeln!(
            out,
            "You saw:    nothing of this database before (from now on, a rewrite of what you saw is detected)"
        ),
    };
    if let Some(record) = incident {
        let ids = record.timeline.iter().map(|e| e.id);
        let _ = writeln!(
            out,
            "Incident {}: {} events (#{}–#{})",
            record.incident.id,
            record.timeline.len(),
            ids.clone().min().unwrap_or(0),
            ids.max().unwrap_or(0)
        );
    }
    out
}

/// `warroom verify --json`.
pub fn verification_json(
    database: &crate::store::Location,
    verification: &crate::witness::Verification,
    incident: Option<&IncidentRecord>,
) -> Value {
    let v = verification;
    let broken = |b: &Option<crate::domain::chain::Break>| {
        b.as_ref()
            .map(|b| json!({ "event_id": b.event_id(), "problem": b.describe() }))
    };
    json!({
        "database": database.to_string(),
        "intact": v.first_break().is_none(),
        "events": v.events,
        "head_id": v.head.0,
        "chain_head": v.head_hex(),
        "chain_break": broken(&v.chain_break),
        "seen_up_to": v.seen_up_to,
        "extends_what_you_saw": v.seen_break.is_none(),
        "seen_break": broken(&v.seen_break),
        "incident": incident.map(|r| json!({
            "id": r.incident.id,
            "events": r.timeline.len(),
        })),
    })
}
