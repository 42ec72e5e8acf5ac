//! The post-mortem draft: an incident record rendered through a Markdown
//! template (minijinja), the built-in one in `assets/postmortem.md.j2` or a
//! team's own. Every value handed to the template is sanitized first, so
//! neither the terminal that prints the export nor the Markdown viewer gets
//! control characters from the database, and every value the template
//! prints has its HTML escaped, so a Markdown viewer shows it as text.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Utc};
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{Environment, Output, State, context};
use serde::Serialize;

use crate::domain::attendance::{ACTIVE_DEFINITION, ATTACHED_DEFINITION, Participants, Tenure, format_secs};
use crate::domain::event::EventData;
use crate::domain::time::format_duration;
use crate::domain::{EntryKind, ItemState, Milestone, TimelineEntry, sanitize, sanitize_line};
use crate::safe_output::SafeLines;
use crate::store::{EntryFilter, PAGE_SIZE, Store, StoreError, TimelinePages};
use crate::view::IncidentView;

/// The built-in post-mortem template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../assets/postmortem.md.j2");

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn clean(text: &str) -> String {
    sanitize(text).into_owned()
}

/// Text warroom did not write itself, made inert for a Markdown renderer:
/// `&`, `<` and `>` become entities, so `<script>` or `<img onerror=…>`
/// in a note shows as text instead of becoming HTML in the post-mortem.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// How every `{{ value }}` is printed, in the built-in template and in a
/// team's own: escaped by [`escape_html`], unless a filter of ours (`cell`)
/// already escaped it and marked it safe.
fn escaping_formatter(out: &mut Output, _state: &State, value: &Value) -> Result<(), minijinja::Error> {
    let text = value.to_string();
    let shown = if value.is_safe() { text } else { escape_html(&text) };
    out.write_str(&shown).map_err(minijinja::Error::from)
}

/// A Markdown table cell: HTML escaped, pipes escaped, line breaks as `<br>`
/// (the one tag the export writes itself).
fn cell(text: String) -> Value {
    Value::from_safe_string(escape_html(&text).replace('|', "\\|").replace('\n', "<br>"))
}

/// An entry's text after its list item's `label:`: one line follows on the
/// same line; several lines go under the item (indented two spaces) as a block quote; preformatted text (pasted command
/// output, tables, indented lines) as a code block, whose fence is longer
/// than any run of backticks inside, so the text cannot close it. Inside a
/// code block HTML is inert, so only quoted text is escaped.
fn block(text: String) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 1 {
        return Value::from_safe_string(format!(" {}", escape_html(&text)));
    }
    let preformatted = lines
        .iter()
        .any(|l| l.starts_with("  ") || l.starts_with('\t') || l.contains(" | ") || l.contains("──"));
    let body = if preformatted {
        format!("\n{}", code_block(&text, "  "))
    } else {
        let quoted: Vec<String> = lines.iter().map(|l| format!("  > {}", escape_html(l))).collect();
        format!("\n{}", quoted.join("\n"))
    };
    Value::from_safe_string(body)
}

/// `text` as a Markdown code block indented by `indent`, its fence longer
/// than any run of backticks inside, so the text cannot close it.
fn code_block(text: &str, indent: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run.max(2) + 1);
    let code: Vec<String> = text.lines().map(|l| format!("{indent}{l}")).collect();
    format!("{indent}{fence}\n{}\n{indent}{fence}", code.join("\n"))
}

/// The evidence appendix: each entry's facts and output, read from the
/// store only when the template reaches it (one output in memory at a time).
struct LazyEvidence {
    store: SharedStore,
    incident_id: i64,
    ids: Vec<i64>,
}

impl std::fmt::Debug for LazyEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.ids).finish()
    }
}

impl Object for LazyEvidence {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let id = *self.ids.get(key.as_usize()?)?;
        let found = self
            .store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .evidence_output(self.incident_id, id);
        Some(match found {
            Ok(found) => evidence_for_template(&found),
            Err(e) => context! { id, problem => clean(&format!("cannot read it: {e}")) },
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.ids.len())
    }
}

fn evidence_for_template(found: &crate::store::EvidenceOutput) -> Value {
    use crate::domain::evidence::{Source, readable_text};
    use crate::store::StoredOutput;
    let e = &found.evidence;
    let what = match &e.source {
        Source::Run { command } => format!("$ {command}"),
        Source::File { path } => format!("file {path}"),
    };
    let output = match &found.output {
        StoredOutput::Intact(bytes) if !e.binary => {
            let text = sanitize(&readable_text(bytes)).into_owned();
            Some(Value::from_safe_string(code_block(&text, "")))
        }
        _ => None,
    };
    let truncated = e.truncated.then(|| {
        format!(
            "Cut: the first {} of {} bytes are kept; the SHA-256 is of the whole output.",
            e.stored_bytes, e.bytes
        )
    });
    context! {
        id => found.entry.id,
        at => utc(e.started_at),
        ended => utc(e.ended_at),
        author => clean(&found.entry.author),
        what => clean(&what),
        host => clean(&e.host),
        cwd => clean(&e.cwd),
        exit => e.exit.map(|x| x.describe()),
        size => e.size_words(),
        bytes => e.bytes,
        sha256 => clean(&e.sha256),
        binary => e.binary,
        truncated,
        problem => found.output.problem(),
        output,
    }
}

#[derive(Serialize)]
struct Entry {
    at: String,
    /// The time of day alone, for lists grouped by date.
    time: String,
    date: String,
    recorded: Option<String>,
    author: String,
    /// The stored name (`status_update`), for a team's own template.
    kind: &'static str,
    /// In plain words (`Status update`).
    kind_label: &'static str,
    text: String,
    pinned: bool,
}

/// An entry's kind in plain words.
fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Note => "Note",
        EntryKind::StatusUpdate => "Status update",
        EntryKind::Decision => "Decision",
        EntryKind::ChecklistChange => "Checklist",
        EntryKind::SeverityChange => "Severity",
        EntryKind::RoleChange => "Role",
        EntryKind::System => "Event",
        EntryKind::Evidence => "Evidence",
    }
}

/// Entries kept out of the narrative: checklist ticks, timers, snoozes and
/// action-item bookkeeping go to the appendix (the checklist and action
/// items have sections of their own).
fn is_bookkeeping(entry: &TimelineEntry) -> bool {
    entry.kind == EntryKind::ChecklistChange
        || matches!(
            entry.data.as_deref(),
            Some(EventData::Timer(_) | EventData::Snooze { .. } | EventData::Action(_))
        )
}

/// A store shared with the template's lazily read lists.
pub type SharedStore = Arc<Mutex<Store>>;

/// What to render, besides the incident.
#[derive(Debug, Clone, Copy)]
pub struct MarkdownExport<'a> {
    pub template: &'a str,
    /// The timeline holds the pinned entries alone.
    pub pinned_only: bool,
    pub now: DateTime<Utc>,
    /// Whether the record's chain held.
    pub check: Option<&'a RecordCheck>,
    /// Entries read per transaction ([`PAGE_SIZE`] but in tests).
    pub page_size: usize,
}

impl<'a> MarkdownExport<'a> {
    pub fn new(template: &'a str, now: DateTime<Utc>) -> MarkdownExport<'a> {
        MarkdownExport {
            template,
            pinned_only: false,
            now,
            check: None,
            page_size: PAGE_SIZE,
        }
    }
}

/// The lists of entries a template is given. Each is read from the store a
/// page at a time while the template walks it, so an incident of any length
/// renders in the memory of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Listing {
    /// Every entry, or the pinned ones alone.
    Timeline {
        pinned_only: bool,
    },
    /// The timeline without the bookkeeping.
    Narrative {
        pinned_only: bool,
    },
    Bookkeeping,
    /// The pinned entries, whatever the timeline holds.
    Impact,
    OfKind(EntryKind),
    /// The declaration (the first row of the severity history).
    Declaration,
}

impl Listing {
    /// What the store is asked for; [`Listing::admits`] has the last word.
    fn filter(self) -> EntryFilter {
        match self {
            Listing::Timeline { pinned_only: true } | Listing::Narrative { pinned_only: true } => {
                EntryFilter::Pinned
            }
            Listing::Impact => EntryFilter::Pinned,
            Listing::OfKind(kind) => EntryFilter::Kind(kind),
            Listing::Declaration => EntryFilter::Kind(EntryKind::System),
            Listing::Timeline { .. } | Listing::Narrative { .. } | Listing::Bookkeeping => EntryFilter::All,
        }
    }

    fn admits(self, e: &TimelineEntry) -> bool {
        match self {
            Listing::Timeline { pinned_only } => !pinned_only || e.pinned,
            Listing::Narrative { pinned_only } => (!pinned_only || e.pinned) && !is_bookkeeping(e),
            Listing::Bookkeeping => is_bookkeeping(e),
            Listing::Impact => e.pinned,
            Listing::OfKind(kind) => e.kind == kind,
            Listing::Declaration => matches!(e.data.as_deref(), Some(EventData::Declared { .. })),
        }
    }
}

/// The store behind the template's lists, the timeline as it stood when the
/// export began, and how many entries each list holds.
struct TimelineSource {
    store: SharedStore,
    incident_id: i64,
    up_to_id: i64,
    page_size: usize,
    listings: Vec<Listing>,
    /// Counted in one pass the first time a length is asked (every `for`
    /// asks, for `loop.length` and `loop.last`).
    counts: OnceLock<HashMap<Listing, usize>>,
    /// The first read that failed: the render is then an error.
    failure: Mutex<Option<String>>,
}

impl TimelineSource {
    fn fail(&self, error: StoreError) {
        let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        failure.get_or_insert_with(|| format!("cannot read the timeline: {error}"));
    }

    fn pages(&self, filter: EntryFilter) -> TimelinePages {
        TimelinePages::new(self.incident_id, self.up_to_id, filter, self.page_size)
    }

    fn next_page(&self, pages: &mut TimelinePages) -> Vec<TimelineEntry> {
        let mut store = self.store.lock().unwrap_or_else(|e| e.into_inner());
        pages.next_page(&mut store).unwrap_or_else(|e| {
            self.fail(e);
            Vec::new()
        })
    }

    fn count(&self, listing: Listing) -> usize {
        let counts = self.counts.get_or_init(|| {
            let mut counts: HashMap<Listing, usize> = self.listings.iter().map(|l| (*l, 0)).collect();
            let mut pages = self.pages(EntryFilter::All);
            loop {
                let page = self.next_page(&mut pages);
                if page.is_empty() {
                    return counts;
                }
                for entry in &page {
                    for (listing, count) in counts.iter_mut() {
                        *count += usize::from(listing.filter().admits(entry) && listing.admits(entry));
                    }
                }
            }
        });
        counts.get(&listing).copied().unwrap_or(0)
    }
}

/// One list of entries for the template, read as it is walked: iterable
/// (`for`, `| length`, `loop.last` and the other filters work as on a list),
/// true when it holds an entry.
struct LazyEntries {
    source: Arc<TimelineSource>,
    /// Walked one after the other (the severity history is two).
    parts: Vec<Listing>,
}

impl std::fmt::Debug for LazyEntries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.parts).finish()
    }
}

impl LazyEntries {
    fn len(&self) -> usize {
        self.parts.iter().map(|l| self.source.count(*l)).sum()
    }
}

impl Object for LazyEntries {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Iterable
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Iter(Box::new(EntryWalk {
            source: Arc::clone(&self.source),
            parts: self.parts.clone().into(),
            current: None,
            page: VecDeque::new(),
            left: self.len(),
        }))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.len())
    }

    fn is_true(self: &Arc<Self>) -> bool {
        self.len() > 0
    }
}

/// A walk over a [`LazyEntries`], one page held at a time.
struct EntryWalk {
    source: Arc<TimelineSource>,
    parts: VecDeque<Listing>,
    current: Option<(Listing, TimelinePages)>,
    page: VecDeque<TimelineEntry>,
    /// Entries still to come, for an exact `size_hint`.
    left: usize,
}

impl Iterator for EntryWalk {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        loop {
            if let Some(entry) = self.page.pop_front() {
                self.left = self.left.saturating_sub(1);
                return Some(Value::from_serialize(entry_for_template(&entry)));
            }
            let (listing, pages) = match &mut self.current {
                Some(current) => current,
                None => {
                    let listing = self.parts.pop_front()?;
                    self.current
                        .insert((listing, self.source.pages(listing.filter())))
                }
            };
            let listing = *listing;
            let page = self.source.next_page(pages);
            if page.is_empty() {
                self.current = None;
            }
            self.page = page.into_iter().filter(|e| listing.admits(e)).collect();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

fn entry_for_template(e: &TimelineEntry) -> Entry {
    Entry {
        at: utc(e.occurred_at),
        time: e.occurred_at.format("%H:%M:%S").to_string(),
        date: e.occurred_at.format("%Y-%m-%d").to_string(),
        recorded: e.recorded_later().map(utc),
        author: sanitize_line(&e.author).into_owned(),
        kind: e.kind.as_str(),
        kind_label: kind_label(e.kind),
        text: clean(&e.text),
        pinned: e.pinned,
    }
}

/// A role held, in words: `Incident Commander 10:00:05–10:40:12, handed
/// over to bob`; a commander's handoffs are marked `⇄`.
fn tenure_text(tenure: &Tenure) -> String {
    let mut text = format!("{} {}", clean(&tenure.name), utc(tenure.from));
    match tenure.to {
        // The date once when the tenure ends the day it began.
        Some(to) if to.date_naive() == tenure.from.date_naive() => {
            text.push_str(&format!("–{}", to.format("%H:%M:%S")))
        }
        Some(to) => text.push_str(&format!("–{}", utc(to))),
        None => text.push_str(" on"),
    }
    let mark = if tenure.is_commander() { "⇄ " } else { "" };
    if let Some(by) = &tenure.handed_over_by {
        text.push_str(&format!(", {mark}handed over by {}", clean(by)));
    }
    if let Some(to) = &tenure.handed_over_to {
        text.push_str(&format!(", {mark}handed over to {}", clean(to)));
    }
    text
}

/// The Participants section's values, made safe for the template.
fn participants_for_template(participants: &Participants, now: DateTime<Utc>) -> Value {
    let people: Vec<_> = participants
        .people
        .iter()
        .map(|p| {
            let roles: Vec<String> = p.roles.iter().map(tenure_text).collect();
            let sessions: Vec<_> = p
                .sessions
                .iter()
                .map(|s| {
                    let host = if s.host.is_empty() {
                        String::new()
                    } else {
                        format!("@{}", clean(&s.host))
                    };
                    context! {
                        console => format!("{}{host} {}", clean(&s.account), clean(&s.terminal)),
                        from => utc(s.attached_at),
                        to => utc(s.last_seen_at),
                        how => if s.said_goodbye {
                            "left"
                        } else if s.is_live(now) {
                            "still attached"
                        } else {
                            "vanished (last heartbeat)"
                        },
                    }
                })
                .collect();
            context! {
                account => clean(&p.account),
                roles => if roles.is_empty() { "-".to_string() } else { roles.join("; ") },
                commander => p.roles.iter().any(Tenure::is_commander),
                first_joined => p.first_joined.map(utc).unwrap_or_else(|| "-".into()),
                last_left => if p.here_now { "still attached".to_string() } else { p.last_left.map(utc).unwrap_or_else(|| "-".into()) },
                attached => format_secs(p.attached_secs),
                active => format_secs(p.active_secs),
                attached_secs => p.attached_secs,
                active_secs => p.active_secs,
                entries => p.entries_written,
                sessions,
            }
        })
        .collect();
    context! {
        people,
        attached => format_secs(participants.attached_secs),
        active => format_secs(participants.active_secs),
        attached_hours => format!("{:.2}", participants.attached_hours()),
        active_hours => format!("{:.2}", participants.active_hours()),
        attached_definition => ATTACHED_DEFINITION,
        active_definition => ACTIVE_DEFINITION,
        ignored_rows => participants.ignored_rows,
    }
}

/// Renders the post-mortem of incident `incident_id` into `out` as it goes:
/// the incident's small parts are read in one snapshot, its timeline a page
/// at a time while the template walks it.
pub fn write_markdown(
    store: &SharedStore,
    incident_id: i64,
    export: &MarkdownExport<'_>,
    out: impl std::io::Write,
) -> Result<(), String> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.set_formatter(escaping_formatter);
    env.add_filter("cell", cell);
    env.add_filter("block", block);
    env.add_template("postmortem", export.template)
        .map_err(|e| format!("the template cannot be read: {e}"))?;
    let template = env
        .get_template("postmortem")
        .map_err(|e| format!("the template cannot be read: {e}"))?;

    let outline = store
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .incident_outline(incident_id)
        .map_err(|e| e.to_string())?;
    let record = &outline.record;
    let incident = &record.incident;
    let pinned_only = export.pinned_only;
    let every_listing = [
        Listing::Timeline { pinned_only },
        Listing::Narrative { pinned_only },
        Listing::Bookkeeping,
        Listing::Impact,
        Listing::Declaration,
        Listing::OfKind(EntryKind::SeverityChange),
        Listing::OfKind(EntryKind::RoleChange),
        Listing::OfKind(EntryKind::StatusUpdate),
        Listing::OfKind(EntryKind::Decision),
    ];
    let evidence_ids = if pinned_only {
        Vec::new()
    } else {
        store
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .evidence_ids(incident_id, outline.up_to_id)
            .map_err(|e| e.to_string())?
    };
    let evidence = Value::from_object(LazyEvidence {
        store: Arc::clone(store),
        incident_id,
        ids: evidence_ids,
    });
    let source = Arc::new(TimelineSource {
        store: Arc::clone(store),
        incident_id,
        up_to_id: outline.up_to_id,
        page_size: export.page_size,
        listings: every_listing.to_vec(),
        counts: OnceLock::new(),
        failure: Mutex::new(None),
    });
    let lazy = |parts: &[Listing]| {
        Value::from_object(LazyEntries {
            source: Arc::clone(&source),
            parts: parts.to_vec(),
        })
    };

    let milestones: Vec<_> = incident
        .milestones
        .recorded()
        .map(|(m, at)| context! { name => m.title(), at => utc(at) })
        .collect();
    let m = &incident.milestones;
    let durations: Vec<_> = [
        ("Time to detect", Milestone::Started, Milestone::Detected),
        (
            "Time to acknowledge",
            Milestone::Detected,
            Milestone::Acknowledged,
        ),
        ("Time to mitigate", Milestone::Detected, Milestone::Mitigated),
        ("Time to resolve", Milestone::Detected, Milestone::Resolved),
    ]
    .into_iter()
    .filter_map(|(name, from, to)| {
        let span = m.get(to)? - m.get(from)?;
        Some(context! { name, from => from.as_str(), to => to.as_str(), value => format_duration(span) })
    })
    .collect();

    let mut checklist = Vec::new();
    for item in &record.checklist {
        let done = usize::from(item.state.is_closed());
        match checklist.last_mut() {
            Some((title, d, t)) if *title == item.section => {
                *d += done;
                *t += 1;
            }
            _ => checklist.push((item.section.clone(), done, 1)),
        }
    }
    let checklist: Vec<_> = checklist
        .into_iter()
        .map(|(title, done, total)| context! { title => clean(&title), done, total })
        .collect();
    let open_items: Vec<_> = record
        .checklist
        .iter()
        .filter(|i| i.state == ItemState::Open)
        .map(|i| context! { key => clean(&i.key), name => clean(&i.name), section => clean(&i.section) })
        .collect();
    // The runbook's sections nobody started are one line, not every item.
    let started = |section: &str| {
        record
            .checklist
            .iter()
            .any(|i| i.section == section && i.state.is_closed())
    };
    let open_in_started: Vec<_> = record
        .checklist
        .iter()
        .filter(|i| i.state == ItemState::Open && started(&i.section))
        .map(|i| context! { key => clean(&i.key), name => clean(&i.name), section => clean(&i.section) })
        .collect();
    let mut not_started: Vec<String> = Vec::new();
    for item in &record.checklist {
        let name = clean(&item.section);
        if !started(&item.section) && !not_started.contains(&name) {
            not_started.push(name);
        }
    }
    let now = export.now;
    let action_items: Vec<_> = record
        .actions
        .iter()
        .map(|a| {
            let state = match a.done_at {
                Some(done) => format!("done {}", utc(done)),
                None if a.is_overdue(now) => "OVERDUE".to_string(),
                None => "open".to_string(),
            };
            context! {
                id => a.id,
                text => clean(&a.text),
                owner => a.owner.as_deref().map(clean).unwrap_or_else(|| "-".into()),
                due => a.due_at.map(utc).unwrap_or_else(|| "-".into()),
                state,
            }
        })
        .collect();
    let roles: Vec<_> = record
        .roles
        .iter()
        .map(|r| context! { name => clean(&r.name), account => clean(&r.account), since => utc(r.since) })
        .collect();
    // The export needs no runbook: the commander is the record's.
    let commander = IncidentView::new(record, None).commander();
    let participants = store
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .participants(incident_id, export.now)
        .map_err(|e| format!("cannot read who took part: {e}"))?;

    let context = context! {
        generated_at => utc(now),
        pinned_only,
        incident => context! {
            id => incident.id,
            title => sanitize_line(&incident.title).into_owned(),
            severity => incident.severity.as_str(),
            severity_label => incident.severity.label(),
            status => incident.status().as_str(),
            commander => clean(commander),
            declared_by => clean(&incident.declared_by),
            runbook => clean(&incident.runbook_name),
            drill => incident.drill,
        },
        milestones,
        durations,
        postmortem => context! {
            due => incident.postmortem_due().map(utc),
            done => incident.postmortem_done_at.map(utc),
        },
        impact => lazy(&[Listing::Impact]),
        severity_history => lazy(&[Listing::Declaration, Listing::OfKind(EntryKind::SeverityChange)]),
        roles,
        handoffs => lazy(&[Listing::OfKind(EntryKind::RoleChange)]),
        participants => participants_for_template(&participants, now),
        timeline => lazy(&[Listing::Timeline { pinned_only }]),
        narrative => lazy(&[Listing::Narrative { pinned_only }]),
        bookkeeping => lazy(&[Listing::Bookkeeping]),
        communications => lazy(&[Listing::OfKind(EntryKind::StatusUpdate)]),
        decisions => lazy(&[Listing::OfKind(EntryKind::Decision)]),
        checklist,
        open_items,
        open_in_started,
        not_started,
        action_items,
        evidence,
        record => export.check,
    };
    // A team's template is text from a file: what it writes passes the same
    // sanitizer, a line at a time.
    let mut lines = SafeLines::new(out, sanitize);
    let rendered = template.render_captured_to(context, &mut lines);
    if let Some(failure) = source.failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(failure);
    }
    match rendered {
        Ok(_) => lines
            .finish()
            .map(drop)
            .map_err(|e| format!("cannot write the export: {e}")),
        Err(e) if e.kind() == minijinja::ErrorKind::WriteFailure => {
            let cause = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
            Err(format!("cannot write the export: {cause}"))
        }
        Err(e) => Err(format!("the template failed: {e}")),
    }
}

/// [`write_markdown`] into a string.
pub fn markdown(
    store: &SharedStore,
    incident_id: i64,
    export: &MarkdownExport<'_>,
) -> Result<String, String> {
    let mut out = Vec::new();
    write_markdown(store, incident_id, export, &mut out)?;
    String::from_utf8(out).map_err(|e| e.to_string())
}

/// Whether the record held when it was exported, for the template (the
/// built-in one ends with it) and the JSON export.
#[derive(Debug, Clone, Serialize)]
pub struct RecordCheck {
    pub verified: bool,
    pub events: u64,
    /// A reviewer checks a later copy against this.
    pub chain_head: String,
    pub problem: Option<String>,
}

impl From<&crate::witness::Verification> for RecordCheck {
    fn from(verification: &crate::witness::Verification) -> RecordCheck {
        RecordCheck {
            verified: verification.first_break().is_none(),
            events: verification.events,
            chain_head: verification.head_hex(),
            problem: verification.first_break().map(|b| b.describe()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_one_line_a_quote_or_a_code_block_it_cannot_close() {
        assert_eq!(block("rolled <back>".into()).to_string(), " rolled &lt;back&gt;");
        assert_eq!(
            block("first\nsecond <b>".into()).to_string(),
            "\n  > first\n  > second &lt;b&gt;"
        );
        let pasted = "$ kubectl get pods\n  NAME  READY\n  ```\n  <script>";
        let code = block(pasted.into()).to_string();
        assert!(
            code.starts_with("\n  ````\n") && code.ends_with("\n  ````"),
            "{code}"
        );
        assert!(code.contains("  <script>"), "inert inside a code block: {code}");
    }
}
