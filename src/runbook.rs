//! Markdown runbooks: checklist sections, timed response phases and escalation
//! triggers, read from the format of the team's Incident Response SOP
//! (`assets/sop.md`, shipped as [`DEFAULT_RUNBOOK`]).
//!
//! * A heading `Phase <N>: <Name> (<window>)` (any level, "phase" in any case)
//!   starts a response phase; its task items belong to it.
//! * Any other heading followed by task items (`- [ ]`, `* [x]`, `1. [ ]`) is a
//!   checklist section titled by the heading text.
//! * Plain bullets `P0: text` (optionally bold, or `P0 - text`) under a heading
//!   containing "Escalation" are escalation triggers.
//! * A bullet `**Frequency**: every 15 minutes for P0/P1, hourly for P2/P3`
//!   (under any heading) sets the status-update cadence per severity
//!   (`every N minutes|hours`, `hourly`, `half-hourly`, `daily`; severities
//!   joined by `/`, `,` or `and`). Severities it does not name keep the SOP's.
//! * A paragraph `**Use for**: when to pick it` says when this runbook is
//!   the one (shown when a commander chooses among runbooks).
//! * Bullets `**Name**: what they do` under a heading containing "Roles" name
//!   the incident roles (in addition to the commander, communications lead,
//!   scribe and operations lead every incident has).
//! * A heading `Status update template` starts the text a status update
//!   (`u`) is pre-filled with: the section's first fenced code block (the
//!   words around it say how to use it), else the whole section up to the
//!   next heading of its level or above; as written, with
//!   placeholders `{severity}`, `{impact}`, `{next_update_utc}`, …
//!   ([`crate::domain::status::PLACEHOLDERS`]); an unknown placeholder is
//!   refused with its line. Nothing under it is a checklist item.
//!
//! Nested task items (a task inside a task) are rejected with the line of the
//! inner item rather than silently flattened: the console ticks items one by
//! one, and a parent/child relation it cannot show would mislead responders.

use chrono::TimeDelta;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// The built-in runbook: the team's Incident Response SOP.
pub const DEFAULT_RUNBOOK: &str = include_str!("../assets/sop.md");
/// Display name of [`DEFAULT_RUNBOOK`].
pub const DEFAULT_RUNBOOK_NAME: &str = "Incident Response SOP (built in)";

/// [`DEFAULT_RUNBOOK`], parsed once.
pub fn default_runbook() -> &'static Runbook {
    static PARSED: std::sync::OnceLock<Runbook> = std::sync::OnceLock::new();
    // The asset is part of the binary and tests/runbook.rs parses it.
    PARSED.get_or_init(|| parse(DEFAULT_RUNBOOK).expect("the built-in runbook parses"))
}

/// A parsed runbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Runbook {
    /// Text of the first level-1 heading, or "Runbook" if there is none.
    pub title: String,
    /// When to pick this runbook, from a `**Use for**: …` paragraph.
    pub use_for: Option<String>,
    /// Checklist sections (headings with task items that are not phases), in document order.
    pub sections: Vec<Section>,
    /// Response phases, in document order.
    pub phases: Vec<Phase>,
    /// Escalation triggers from bullets under an "Escalation" heading.
    pub escalation: Vec<EscalationTrigger>,
    /// Status-update cadence per severity from a `**Frequency**:` bullet.
    pub status_cadence: Vec<StatusCadence>,
    /// Roles named under a "Roles" heading.
    pub roles: Vec<RoleSpec>,
    /// The text of a `## Status update template` section, placeholders
    /// checked.
    pub status_template: Option<String>,
}

/// How often a status update is due at one severity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCadence {
    /// "P0".."P3".
    pub severity: String,
    #[serde(rename = "every_secs", serialize_with = "ser_secs")]
    pub every: TimeDelta,
}

/// A role the runbook names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleSpec {
    pub name: String,
    pub description: String,
}

/// A checklist section: a heading and the task items under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// The heading text.
    pub title: String,
    /// The task items, in document order.
    pub items: Vec<RunbookItem>,
}

/// One checklist task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookItem {
    /// Stable key: "1.1" (section . item) for sections, "p1.1" (phase . item) for phases.
    pub key: String,
    /// The bold lead of `**Name**: description`, or the whole text without a bold lead.
    pub name: String,
    /// The text after the bold name and its separator; empty if none.
    pub description: String,
    /// 1-based source line of the item.
    pub line: usize,
}

/// A response phase with a time window relative to incident declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    /// Phase name, e.g. "Triage".
    pub name: String,
    /// Start of the window after declaration (serialized as whole seconds).
    #[serde(rename = "window_start_secs", serialize_with = "ser_secs")]
    pub window_start: TimeDelta,
    /// End of the window after declaration (serialized as whole seconds).
    #[serde(rename = "window_end_secs", serialize_with = "ser_secs")]
    pub window_end: TimeDelta,
    /// The phase's task items, keyed `p<phase>.<item>`.
    pub items: Vec<RunbookItem>,
    /// 1-based source line of the phase heading.
    pub line: usize,
}

/// A severity level and the conditions that call for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscalationTrigger {
    /// Severity as written, uppercased: "P0".."P3".
    pub severity: String,
    /// What triggers this severity.
    pub description: String,
}

/// Why a runbook could not be read, with the 1-based line of the offending construct.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("runbook line {line}: {message}")]
pub struct RunbookError {
    /// 1-based source line.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

fn ser_secs<S: serde::Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(d.num_seconds())
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, RunbookError> {
    Err(RunbookError {
        line,
        message: message.into(),
    })
}

impl Runbook {
    /// Looks an item up by key ("1.1", "P2.3", …), ignoring ASCII case.
    pub fn item(&self, key: &str) -> Option<&RunbookItem> {
        self.all_items()
            .map(|(_, item)| item)
            .find(|item| item.key.eq_ignore_ascii_case(key))
    }

    /// Every item with the name of its section or phase: sections first, then phases.
    pub fn all_items(&self) -> impl Iterator<Item = (&str, &RunbookItem)> {
        let sections = self
            .sections
            .iter()
            .flat_map(|s| s.items.iter().map(|i| (s.title.as_str(), i)));
        let phases = self
            .phases
            .iter()
            .flat_map(|p| p.items.iter().map(|i| (p.name.as_str(), i)));
        sections.chain(phases)
    }
}

impl Phase {
    /// The window for humans: "0–15 min", "1–4 h", "4–72 h", "1–3 d", "30 min–2 h".
    pub fn window_label(&self) -> String {
        let (a, b) = (self.window_start.num_seconds(), self.window_end.num_seconds());
        let whole = |unit: i64| a % unit == 0 && b % unit == 0;
        let common = if b <= 3600 && whole(60) {
            Some((60, "min"))
        } else if b >= 2 * 86_400 && whole(86_400) {
            Some((86_400, "d"))
        } else if whole(3600) {
            Some((3600, "h"))
        } else {
            None
        };
        match common {
            Some((unit, name)) => format!("{}–{} {name}", a / unit, b / unit),
            None if a == 0 => format!("0–{}", duration_label(b)),
            None => format!("{}–{}", duration_label(a), duration_label(b)),
        }
    }
}

fn duration_label(secs: i64) -> String {
    match secs {
        s if s != 0 && s % 86_400 == 0 && s >= 2 * 86_400 => format!("{} d", s / 86_400),
        s if s != 0 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// Where task items currently go.
enum Scope {
    Preamble,
    Section { title: String, index: Option<usize> },
    Phase(usize),
}

/// How far the bold lead (`**Name**`) of an item has been read.
#[derive(Clone, Copy, PartialEq)]
enum Lead {
    Pending,
    InBold(usize),
    EndsAt(usize),
    None,
}

/// A list item being read; lists nest, so these form a stack.
struct Frame {
    line: usize,
    task: bool,
    text: String,
    lead: Lead,
}

struct Builder {
    title: Option<String>,
    sections: Vec<Section>,
    phases: Vec<Phase>,
    escalation: Vec<EscalationTrigger>,
    status_cadence: Vec<StatusCadence>,
    roles: Vec<RoleSpec>,
    scope: Scope,
    in_escalation: bool,
    in_roles: bool,
    /// The level of the status update template's heading while under it.
    in_template: Option<HeadingLevel>,
}

/// Where the status update template's section lies in the source.
struct TemplateSpan {
    level: HeadingLevel,
    /// The heading's line.
    line: usize,
    /// Just after the heading.
    start: usize,
    /// The next heading of its level or above, once met.
    end: Option<usize>,
}

fn is_template_heading(text: &str) -> bool {
    text.to_lowercase().contains("status update template")
}

/// The paragraph that starts `**Use for**:` (or `**Use for:**`), without
/// that lead, on one line; None when there is none or it is empty.
fn use_for(src: &str) -> Option<String> {
    let mut lines = src.lines().map(str::trim);
    let first = lines.by_ref().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        ["**use for**:", "**use for:**"]
            .iter()
            .find(|lead| lower.starts_with(*lead))
            .map(|lead| line[lead.len()..].to_string())
    })?;
    let paragraph: Vec<String> = std::iter::once(first)
        .chain(lines.take_while(|line| !line.is_empty()).map(str::to_string))
        .collect();
    let text = collapse(&paragraph.join(" "));
    (!text.is_empty()).then_some(text)
}

/// Parses a Markdown runbook. See the module docs for the format.
pub fn parse(source: &str) -> Result<Runbook, RunbookError> {
    let src = source.strip_prefix('\u{feff}').unwrap_or(source);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(src.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);

    let mut b = Builder {
        title: None,
        sections: Vec::new(),
        phases: Vec::new(),
        escalation: Vec::new(),
        status_cadence: Vec::new(),
        roles: Vec::new(),
        scope: Scope::Preamble,
        in_escalation: false,
        in_roles: false,
        in_template: None,
    };
    let mut heading: Option<(HeadingLevel, usize, String, usize)> = None;
    let mut template: Option<TemplateSpan> = None;
    let mut frames: Vec<Frame> = Vec::new();

    for (event, range) in Parser::new_ext(src, Options::ENABLE_TASKLISTS).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some(open) = template.as_mut().filter(|t| t.end.is_none() && level <= t.level) {
                    open.end = Some(range.start);
                }
                heading = Some((level, line_of(range.start), String::new(), range.end));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, line, text, end)) = heading.take() {
                    let text = collapse(&text);
                    if is_template_heading(&text) {
                        if template.is_some() {
                            return err(line, "a second status update template; keep one");
                        }
                        template = Some(TemplateSpan {
                            level,
                            line,
                            start: end,
                            end: None,
                        });
                    }
                    b.heading(level, line, text)?;
                }
            }
            Event::Start(Tag::Item) => frames.push(Frame {
                line: line_of(range.start),
                task: false,
                text: String::new(),
                lead: Lead::Pending,
            }),
            Event::TaskListMarker(_) => {
                if let Some((top, outer)) = frames.split_last_mut() {
                    if outer.iter().any(|f| f.task) {
                        return err(
                            top.line,
                            "nested checklist items are not supported; un-indent this item, \
                             or turn its parent into a heading",
                        );
                    }
                    top.task = true;
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some(frame) = frames.pop() {
                    b.item(frame)?;
                }
            }
            Event::Start(Tag::Strong) if heading.is_none() => {
                if let Some(f) = frames.last_mut() {
                    f.lead = match f.lead {
                        Lead::Pending => Lead::InBold(1),
                        Lead::InBold(depth) => Lead::InBold(depth + 1),
                        other => other,
                    };
                }
            }
            Event::End(TagEnd::Strong) if heading.is_none() => {
                if let Some(f) = frames.last_mut() {
                    f.lead = match f.lead {
                        Lead::InBold(1) => Lead::EndsAt(f.text.len()),
                        Lead::InBold(depth) => Lead::InBold(depth - 1),
                        other => other,
                    };
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, text, _)) = heading.as_mut() {
                    text.push_str(&t);
                } else if let Some(f) = frames.last_mut() {
                    if f.lead == Lead::Pending && !t.trim().is_empty() {
                        f.lead = Lead::None;
                    }
                    f.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, _, text, _)) = heading.as_mut() {
                    text.push(' ');
                } else if let Some(f) = frames.last_mut() {
                    f.text.push(' ');
                }
            }
            _ => {}
        }
    }

    if b.sections.is_empty() && b.phases.is_empty() {
        return err(1, "no checklist items (`- [ ]`) found");
    }
    let status_template = template
        .map(|span| status_template(src, &span, line_of))
        .transpose()?;
    Ok(Runbook {
        title: b.title.unwrap_or_else(|| "Runbook".to_string()),
        use_for: use_for(src),
        sections: b.sections,
        phases: b.phases,
        escalation: b.escalation,
        status_cadence: b.status_cadence,
        roles: b.roles,
        status_template,
    })
}

/// The template's text from its section: blank lines around it and one
/// code fence around all of it dropped, line ends trimmed; its placeholders
/// checked.
fn status_template(
    src: &str,
    span: &TemplateSpan,
    line_of: impl Fn(usize) -> usize,
) -> Result<String, RunbookError> {
    let end = span.end.unwrap_or(src.len()).max(span.start);
    let section = &src[span.start..end];
    let mut lines: Vec<(usize, &str)> = section
        .split('\n')
        .scan(span.start, |offset, line| {
            let at = *offset;
            *offset += line.len() + 1;
            Some((at, line.trim_end()))
        })
        .collect();
    let blank = |l: &(usize, &str)| l.1.trim().is_empty();
    let fence = |line: &str| {
        let line = line.trim_start();
        (line.starts_with("```") || line.starts_with("~~~")).then(|| line[..3].to_string())
    };
    // A fenced block is the template, and the words around it say how to
    // use it; without one, the whole section is.
    if let Some(open) = lines.iter().position(|l| fence(l.1).is_some()) {
        let marker = fence(lines[open].1);
        let close = lines[open + 1..]
            .iter()
            .position(|l| fence(l.1) == marker)
            .map_or(lines.len(), |at| open + 1 + at);
        lines = lines[open + 1..close].to_vec();
    }
    while lines.last().is_some_and(blank) {
        lines.pop();
    }
    let first = lines.iter().position(|l| !blank(l)).unwrap_or(lines.len());
    lines.drain(..first);
    if lines.iter().all(blank) {
        return err(
            span.line,
            "the status update template is empty; write the update under it, \
             with placeholders like {severity}, {impact} and {next_update_utc}",
        );
    }
    for (offset, line) in &lines {
        if let Err((at, message)) = crate::domain::status::check_template(line) {
            return err(line_of(offset + at), message);
        }
    }
    Ok(lines.iter().map(|(_, line)| *line).collect::<Vec<_>>().join("\n"))
}

impl Builder {
    fn heading(&mut self, level: HeadingLevel, line: usize, text: String) -> Result<(), RunbookError> {
        if level == HeadingLevel::H1 && self.title.is_none() {
            self.title = Some(text.clone());
        }
        if is_template_heading(&text) {
            self.in_template = Some(level);
        } else if self.in_template.is_some_and(|under| level <= under) {
            self.in_template = None;
        }
        self.in_escalation = text.to_lowercase().contains("escalation");
        self.in_roles = text.to_lowercase().contains("roles");
        // The template's words are an update's, never a checklist or a phase.
        if self.in_template.is_some() {
            self.scope = Scope::Preamble;
            self.in_escalation = false;
            self.in_roles = false;
            return Ok(());
        }
        let Some(rest) = phase_prefix(&text) else {
            self.scope = Scope::Section {
                title: text,
                index: None,
            };
            return Ok(());
        };
        let rest = rest.trim_end();
        let Some(open) = rest.rfind('(').filter(|_| rest.ends_with(')')) else {
            return err(
                line,
                format!(
                    "phase heading \"{text}\" has no time window; add one in parentheses, \
                     e.g. \"{text} (15-60 minutes)\""
                ),
            );
        };
        let name = rest[..open].trim().to_string();
        let window = rest[open + 1..rest.len() - 1].trim();
        if name.is_empty() {
            return err(
                line,
                format!("phase heading \"{text}\" has no name before the window"),
            );
        }
        let Some((start, end)) = parse_window(window) else {
            return err(
                line,
                format!(
                    "phase \"{name}\": cannot read the time window \"{window}\"; \
                     write it like (0-15 minutes), (1-4 hours) or (30 min - 2 h)"
                ),
            );
        };
        let phase = Phase {
            name,
            window_start: start,
            window_end: end,
            items: Vec::new(),
            line,
        };
        if start >= end {
            return err(
                line,
                format!(
                    "phase \"{}\": its window ({}) must end after it starts",
                    phase.name,
                    phase.window_label()
                ),
            );
        }
        if let Some(prev) = self.phases.last().filter(|prev| start < prev.window_start) {
            return err(
                line,
                format!(
                    "phase \"{}\" ({}) starts before the previous phase \"{}\" ({}); \
                     phase windows must not go backwards in time",
                    phase.name,
                    phase.window_label(),
                    prev.name,
                    prev.window_label()
                ),
            );
        }
        self.phases.push(phase);
        self.scope = Scope::Phase(self.phases.len() - 1);
        Ok(())
    }

    fn item(&mut self, frame: Frame) -> Result<(), RunbookError> {
        if self.in_template.is_some() {
            return Ok(());
        }
        let text = collapse(&frame.text);
        if !frame.task {
            let (name, description) = split_name(&frame.text, frame.lead);
            if name.eq_ignore_ascii_case("frequency") && !description.is_empty() {
                let cadence = parse_cadence(&description).ok_or_else(|| RunbookError {
                    line: frame.line,
                    message: format!(
                        "cannot read the status-update frequency {description:?}; write it like \
                         `every 15 minutes for P0/P1, hourly for P2/P3`"
                    ),
                })?;
                self.status_cadence.extend(cadence);
            } else if self.in_escalation {
                self.escalation.extend(parse_trigger(&text));
            } else if self.in_roles && !name.is_empty() && frame.lead != Lead::None {
                self.roles.push(RoleSpec { name, description });
            }
            return Ok(());
        }
        if text.is_empty() {
            return err(
                frame.line,
                "checklist item has no text; write `- [ ] **Name**: description`",
            );
        }
        let (name, description) = split_name(&frame.text, frame.lead);
        let line = frame.line;
        let (items, key) = match &mut self.scope {
            Scope::Preamble => {
                return err(
                    line,
                    format!(
                        "checklist item \"{text}\" comes before any heading; \
                         put it under a section heading such as `## Containment`"
                    ),
                );
            }
            Scope::Phase(p) => {
                let items = &mut self.phases[*p].items;
                let key = format!("p{}.{}", *p + 1, items.len() + 1);
                (items, key)
            }
            Scope::Section { title, index } => {
                let idx = *index.get_or_insert_with(|| {
                    self.sections.push(Section {
                        title: title.clone(),
                        items: Vec::new(),
                    });
                    self.sections.len() - 1
                });
                let items = &mut self.sections[idx].items;
                let key = format!("{}.{}", idx + 1, items.len() + 1);
                (items, key)
            }
        };
        items.push(RunbookItem {
            key,
            name,
            description,
            line,
        });
        Ok(())
    }
}

/// Splits an item into its bold name and the description after the separator.
fn split_name(raw: &str, lead: Lead) -> (String, String) {
    if let Lead::EndsAt(at) = lead {
        let name = collapse(&raw[..at]);
        let name = name.trim_end_matches(':').trim_end().to_string();
        if !name.is_empty() {
            let rest = raw[at..].trim_start();
            let rest = rest.strip_prefix([':', '-', '—', '–']).unwrap_or(rest);
            return (name, collapse(rest));
        }
    }
    (collapse(raw), String::new())
}

/// For `Phase <N>: rest` (case-insensitive, leading emoji or punctuation allowed), returns `rest`.
fn phase_prefix(text: &str) -> Option<&str> {
    let t = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let word = t.get(..5)?;
    if !word.eq_ignore_ascii_case("phase") {
        return None;
    }
    let t = t[5..].trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    t[digits..].trim_start().strip_prefix(':')
}

#[derive(PartialEq)]
enum Token {
    Num(i64),
    Word(String),
    Dash,
}

/// Reads `<n> [unit] (-|–|—|to) <n> <unit>` into a start and end offset.
fn parse_window(window: &str) -> Option<(TimeDelta, TimeDelta)> {
    let mut tokens = Vec::new();
    let mut chars = window.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if matches!(c, '-' | '–' | '—') {
            chars.next();
            tokens.push(Token::Dash);
        } else if c.is_ascii_digit() {
            let mut n: i64 = 0;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = n.checked_mul(10)?.checked_add(i64::from(d))?;
                chars.next();
            }
            tokens.push(Token::Num(n));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_alphabetic()) {
                w.extend(c.to_lowercase());
                chars.next();
            }
            tokens.push(if w == "to" { Token::Dash } else { Token::Word(w) });
        } else {
            return None;
        }
    }
    let (a, unit_a, b, unit_b) = match tokens.as_slice() {
        [Token::Num(a), Token::Dash, Token::Num(b), Token::Word(u)] => (*a, u, *b, u),
        [
            Token::Num(a),
            Token::Word(ua),
            Token::Dash,
            Token::Num(b),
            Token::Word(ub),
        ] => (*a, ua, *b, ub),
        _ => return None,
    };
    let at = |n: i64, unit: &str| {
        let secs = match unit {
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            _ => return None,
        };
        TimeDelta::try_seconds(n.checked_mul(secs)?)
    };
    Some((at(a, unit_a)?, at(b, unit_b)?))
}

/// Reads `every 15 minutes for P0/P1, hourly for P2/P3`.
fn parse_cadence(text: &str) -> Option<Vec<StatusCadence>> {
    let mut cadence = Vec::new();
    for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_lowercase();
        let (how_often, whom) = lower.split_once(" for ")?;
        let how_often = how_often.trim().trim_start_matches("every").trim();
        let every = match how_often {
            "hourly" | "hour" | "an hour" => TimeDelta::hours(1),
            "half-hourly" | "half hour" => TimeDelta::minutes(30),
            "daily" | "day" => TimeDelta::days(1),
            other => {
                let (number, unit) = other.split_once(' ')?;
                let n: i64 = number.parse().ok().filter(|n| *n > 0)?;
                match unit.trim() {
                    "minute" | "minutes" | "min" | "mins" => TimeDelta::try_minutes(n)?,
                    "hour" | "hours" | "h" => TimeDelta::try_hours(n)?,
                    _ => return None,
                }
            }
        };
        let severities: Vec<String> = whom
            .split(['/', ' '])
            .map(|w| w.trim().trim_end_matches('.'))
            .filter(|w| !w.is_empty() && *w != "and")
            .map(|w| {
                let digits = w.strip_prefix('p')?;
                (digits.len() == 1 && digits.chars().all(|c| ('0'..='3').contains(&c)))
                    .then(|| format!("P{digits}"))
            })
            .collect::<Option<_>>()?;
        if severities.is_empty() {
            return None;
        }
        cadence.extend(
            severities
                .into_iter()
                .map(|severity| StatusCadence { severity, every }),
        );
    }
    (!cadence.is_empty()).then_some(cadence)
}

/// Reads `P0: text`, `P0 - text` or `P0 — text` (bold already dropped).
fn parse_trigger(text: &str) -> Option<EscalationTrigger> {
    let rest = text.strip_prefix(['P', 'p'])?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let after = rest[digits..].trim_start();
    let description = after.strip_prefix([':', '-', '—', '–'])?.trim();
    Some(EscalationTrigger {
        severity: format!("P{}", &rest[..digits]),
        description: description.to_string(),
    })
}

/// Trims and collapses runs of whitespace (including CR) to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
