//! An evidence entry opened in the entry viewer: its facts, and its output
//! read from the store on demand (never with the timeline), made readable
//! and sanitized once, searched with `/`.

use super::{App, Request};
use crate::domain::evidence::{Evidence, Source, human_size, readable_text};
use crate::domain::{sanitize, sanitize_line};
use crate::store::{EvidenceOutput, StoredOutput};

/// The evidence entry open in the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceShown {
    pub event_id: i64,
    /// Lines shown under the entry's own: the facts, then the output
    /// (sanitized), or why it is not shown. Empty until loaded.
    pub lines: Vec<String>,
    /// The last query searched for, to find its next match.
    pub query: Option<String>,
    /// Which match is shown, of how many (for the viewer's frame).
    pub matched: Option<(usize, usize)>,
}

impl App {
    /// Asks the store for the output of evidence entry `event_id`.
    pub(super) fn load_evidence(&mut self, event_id: i64) -> Vec<Request> {
        let Some(incident_id) = self.record.as_ref().map(|r| r.incident.id) else {
            return Vec::new();
        };
        self.evidence = Some(EvidenceShown {
            event_id,
            lines: vec![String::new(), "Loading the output…".into()],
            query: None,
            matched: None,
        });
        vec![Request::EvidenceOutput {
            incident_id,
            event_id,
        }]
    }

    pub(super) fn hear_evidence(&mut self, event_id: i64, result: Result<Box<EvidenceOutput>, String>) {
        // An answer for an entry no longer open is dropped.
        let Some(shown) = self.evidence.as_mut().filter(|s| s.event_id == event_id) else {
            return;
        };
        shown.lines = match result {
            Ok(found) => viewer_lines(&found),
            Err(e) => vec![
                String::new(),
                sanitize_line(&format!("Cannot read the output: {e}")).into_owned(),
            ],
        };
    }

    /// The lines the viewer shows under the entry's own text.
    pub fn evidence_lines(&self) -> &[String] {
        match (&self.evidence, self.open_entry()) {
            (Some(shown), Some(entry)) if entry.id == shown.event_id => &shown.lines,
            _ => &[],
        }
    }

    /// Scrolls the viewer to the next line (after the one at the top)
    /// holding `typed`, case-insensitive; an empty search repeats the last.
    pub(super) fn search_open_entry(&mut self, typed: &str) {
        let typed = typed.trim();
        let query = match (
            typed.is_empty(),
            self.evidence.as_ref().and_then(|s| s.query.clone()),
        ) {
            (false, _) => typed.to_string(),
            (true, Some(last)) => last,
            (true, None) => return,
        };
        let Some(entry) = self.open_entry() else { return };
        let needle = query.to_lowercase();
        // The viewer's steps: facts, a blank, the entry's lines, then ours.
        let steps: Vec<String> = [String::new(), String::new()]
            .into_iter()
            .chain(entry.text.split('\n').map(|l| sanitize(l).into_owned()))
            .chain(self.evidence_lines().iter().cloned())
            .collect();
        let matches: Vec<usize> = steps
            .iter()
            .enumerate()
            .filter(|(_, line)| line.to_lowercase().contains(&needle))
            .map(|(index, _)| index)
            .collect();
        if let Some(shown) = self.evidence.as_mut() {
            shown.query = Some(query.clone());
            shown.matched = None;
        }
        let from = self.help_scroll as usize;
        let Some(&next) = matches.iter().find(|&&i| i > from).or(matches.first()) else {
            self.complain(format!("No line holds {:?}", sanitize_line(&query)));
            return;
        };
        let position = matches.iter().position(|&i| i == next).unwrap_or(0) + 1;
        self.help_scroll = next.try_into().unwrap_or(u16::MAX);
        if let Some(shown) = self.evidence.as_mut() {
            shown.matched = Some((position, matches.len()));
        }
    }
}

/// The facts of the evidence, then its output as text to read, or why not.
fn viewer_lines(found: &EvidenceOutput) -> Vec<String> {
    let evidence = &found.evidence;
    let mut lines = vec![String::new()];
    lines.extend(
        facts(evidence)
            .into_iter()
            .map(|l| sanitize_line(&l).into_owned()),
    );
    lines.push(String::new());
    let bytes = match &found.output {
        StoredOutput::Intact(bytes) => bytes,
        StoredOutput::Missing => {
            lines.push("NOT SHOWN: the stored output is missing (removed from the database).".into());
            return lines;
        }
        StoredOutput::Altered { bytes, problem } => {
            lines.push(
                sanitize_line(&format!("ALTERED: {problem}; what is stored now is shown below."))
                    .into_owned(),
            );
            lines.push(String::new());
            bytes
        }
    };
    if evidence.binary || crate::domain::evidence::looks_binary(bytes, evidence.truncated) {
        lines.push(format!(
            "binary, {} bytes: not shown (`warroom export --format json` carries it, base64)",
            evidence.bytes
        ));
        return lines;
    }
    let text = readable_text(bytes);
    lines.extend(sanitize(&text).split('\n').map(str::to_string));
    if evidence.truncated {
        lines.push(format!(
            "… cut here: the first {} of {} are kept; the SHA-256 above is of the whole output",
            human_size(evidence.stored_bytes),
            human_size(evidence.bytes)
        ));
    }
    lines
}

/// What the entry records, one fact a line.
fn facts(evidence: &Evidence) -> Vec<String> {
    let mut facts = match &evidence.source {
        Source::Run { command } => vec![format!("Command   $ {command}")],
        Source::File { path } => vec![format!("File      {path}")],
    };
    facts.push(format!("Where     {}:{}", evidence.host, evidence.cwd));
    let took = evidence.ended_at - evidence.started_at;
    facts.push(format!(
        "When      {} to {} ({}.{:03} s)",
        evidence.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
        evidence.ended_at.format("%H:%M:%S UTC"),
        took.num_seconds(),
        took.subsec_nanos() / 1_000_000
    ));
    if let Some(exit) = evidence.exit {
        facts.push(format!("Ended     {}", exit.describe()));
    }
    facts.push(format!(
        "Output    {} ({} bytes)",
        evidence.size_words(),
        evidence.bytes
    ));
    facts.push(format!("SHA-256   {}", evidence.sha256));
    facts
}
