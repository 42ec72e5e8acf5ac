//! The `:` command line: one table holds every command's names (the first
//! is the one shown, the others its aliases), usage, help text and parser.
//! `:help` and `?` list the table; the parser reads it. The writes it
//! produces are the core's [`Command`]s, the same the command line makes.

use crate::command::{Command, parse_timer};
use crate::domain::{EntryKind, ItemState, Milestone};

/// What a `:` line asks for: a write, or something of the console's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Write(Command),
    Help,
    Metrics,
    /// Everyone who has been attached to the incident.
    Who,
    /// Open the database file now at the path (after it was removed or replaced).
    Reload,
    Quit,
    /// `:pin` / `:unpin` without a number: the entry selected in the timeline.
    PinSelected {
        pinned: bool,
    },
}

/// One `:` command.
pub struct Spec {
    /// The first is shown; the rest are aliases.
    pub names: &'static [&'static str],
    /// What follows the name, e.g. `TEXT`.
    pub usage: &'static str,
    pub help: &'static str,
    /// Reads what follows the name (trimmed); the name as typed is given
    /// for messages.
    parse: fn(name: &str, rest: &str) -> Result<Line, String>,
}

/// Every `:` command, in the order the help lists them.
pub const TABLE: &[Spec] = &[
    Spec {
        names: &["note", "n"],
        usage: "TEXT",
        help: "add a timeline note",
        parse: |name, rest| entry(EntryKind::Note, name, rest, "the note text"),
    },
    Spec {
        names: &["status", "update", "u"],
        usage: "TEXT",
        help: "post a status update (resets its countdown)",
        parse: |name, rest| entry(EntryKind::StatusUpdate, name, rest, "the update text"),
    },
    Spec {
        names: &["decide", "decision"],
        usage: "TEXT",
        help: "record a decision (DECIDE on the timeline)",
        parse: |name, rest| entry(EntryKind::Decision, name, rest, "what was decided"),
    },
    Spec {
        names: &["pin"],
        usage: "[#N]",
        help: "pin entry N (or the selected one); the export's Impact lists pinned entries",
        parse: |name, rest| pin(true, name, rest),
    },
    Spec {
        names: &["unpin"],
        usage: "[#N]",
        help: "unpin entry N (or the selected one)",
        parse: |name, rest| pin(false, name, rest),
    },
    Spec {
        names: &["check", "done"],
        usage: "ITEM",
        help: "mark an item done (key like 1.2 or part of its name)",
        parse: |name, rest| item(ItemState::Done, name, rest),
    },
    Spec {
        names: &["uncheck", "reopen"],
        usage: "ITEM",
        help: "reopen an item",
        parse: |name, rest| item(ItemState::Open, name, rest),
    },
    Spec {
        names: &["na"],
        usage: "ITEM",
        help: "mark an item not applicable",
        parse: |name, rest| item(ItemState::NotApplicable, name, rest),
    },
    Spec {
        names: &["severity", "sev"],
        usage: "P0 WHY",
        help: "change severity (P0–P3) and say why (or press s)",
        parse: |name, rest| {
            let text = needs(
                name,
                rest,
                "a severity and a reason, e.g. :severity P1 login failing",
            )?;
            let (level, reason) = split_first(text);
            Ok(Line::Write(Command::Severity {
                severity: level.parse()?,
                reason: reason.to_string(),
            }))
        },
    },
    Spec {
        names: &["snooze"],
        usage: "10m WHY",
        help: "push the status-update countdown out, with a reason",
        parse: |name, rest| {
            let text = needs(
                name,
                rest,
                "a length and a reason, e.g. :snooze 10m waiting for the vendor",
            )?;
            let (length, reason) = split_first(text);
            Ok(Line::Write(Command::Snooze {
                length: length.to_string(),
                reason: reason.to_string(),
            }))
        },
    },
    Spec {
        names: &["phase"],
        usage: "next | N",
        help: "advance the response phase, or go to phase N",
        parse: |name, rest| {
            Ok(Line::Write(Command::Phase(
                needs(name, rest, "next or a phase number")?.into(),
            )))
        },
    },
    Spec {
        names: &["timer", "t"],
        usage: "10m TEXT | done N | cancel N",
        help: "start a timer everyone sees, or close timer N",
        parse: |name, rest| {
            let text = needs(name, rest, "a length and a label, e.g. :timer 10m check rollback")?;
            parse_timer(text).map(Line::Write)
        },
    },
    Spec {
        names: &["role"],
        usage: "ROLE ACCOUNT",
        help: "hand a role over (ic, comms, scribe, ops, or the runbook's)",
        parse: |name, rest| {
            let text = needs(name, rest, "a role and an account, e.g. :role ic alice")?;
            match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                [role @ .., account] if !role.is_empty() => Ok(Line::Write(Command::Role {
                    role: role.join(" "),
                    account: account.to_string(),
                })),
                _ => Err(":role needs a role and an account, e.g. :role ic alice".into()),
            }
        },
    },
    Spec {
        names: &["started"],
        usage: "T",
        help: "record when the impact began, once known (:started -2h, :started 01:40)",
        parse: |name, rest| {
            milestone(
                Milestone::Started,
                needs(name, rest, "a time, e.g. :started -2h")?,
            )
        },
    },
    Spec {
        names: &["detected"],
        usage: "T",
        help: "record when it was detected (by default: when it was declared)",
        parse: |name, rest| {
            milestone(
                Milestone::Detected,
                needs(name, rest, "a time, e.g. :detected 01:52")?,
            )
        },
    },
    Spec {
        names: &["ack", "acknowledge"],
        usage: "[T]",
        help: "record that the incident is acknowledged (now, or :ack -10m)",
        parse: |_, rest| milestone(Milestone::Acknowledged, rest),
    },
    Spec {
        names: &["mitigate"],
        usage: "[T]",
        help: "record that the impact is mitigated (now, or :mitigate 14:05)",
        parse: |_, rest| milestone(Milestone::Mitigated, rest),
    },
    Spec {
        names: &["resolve"],
        usage: "[T]",
        help: "record the resolution (starts the 48 h post-mortem clock)",
        parse: |_, rest| milestone(Milestone::Resolved, rest),
    },
    Spec {
        names: &["close"],
        usage: "[T]",
        help: "close the incident",
        parse: |_, rest| milestone(Milestone::Closed, rest),
    },
    Spec {
        names: &["action", "a"],
        usage: "[@OWNER] [due:+2d] TEXT | done N",
        help: "add an action item, or mark action item N done",
        parse: |name, rest| {
            action(needs(
                name,
                rest,
                "a text, e.g. :action @bob due:+2d add an alert on 5xx",
            )?)
        },
    },
    Spec {
        names: &["postmortem", "pm"],
        usage: "done",
        help: "the post-mortem is written",
        parse: |_, rest| match rest {
            "done" => Ok(Line::Write(Command::PostmortemDone)),
            _ => Err(":postmortem done marks the post-mortem written".into()),
        },
    },
    Spec {
        names: &["metrics", "m"],
        usage: "",
        help: "MTTD, time to respond/resolve, post-mortem and action-item rates",
        parse: |_, _| Ok(Line::Metrics),
    },
    Spec {
        names: &["who"],
        usage: "",
        help: "everyone who has been here: roles, spans, time attached and active, entries",
        parse: |_, _| Ok(Line::Who),
    },
    Spec {
        names: &["reload"],
        usage: "",
        help: "open the database file now at its path (after it was removed or replaced)",
        parse: |_, _| Ok(Line::Reload),
    },
    Spec {
        names: &["help", "h"],
        usage: "",
        help: "show the help",
        parse: |_, _| Ok(Line::Help),
    },
    Spec {
        names: &["quit", "q", "q!", "wq"],
        usage: "",
        help: "quit",
        parse: |_, _| Ok(Line::Quit),
    },
];

impl Spec {
    /// `:name USAGE`, as the help shows it.
    pub fn synopsis(&self) -> String {
        format!(":{} {}", self.names[0], self.usage)
            .trim_end()
            .to_string()
    }

    /// `also :n`, or empty.
    pub fn aliases(&self) -> String {
        let others: Vec<String> = self.names[1..].iter().map(|n| format!(":{n}")).collect();
        if others.is_empty() {
            String::new()
        } else {
            format!("also {}", others.join(" "))
        }
    }
}

/// Reads a `:` line (with or without its leading `:`).
pub fn parse(line: &str) -> Result<Line, String> {
    let line = line.trim().trim_start_matches(':').trim_start();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    if name.is_empty() {
        return Err("type a command, e.g. :note TEXT (see :help)".into());
    }
    let spec = TABLE
        .iter()
        .find(|spec| spec.names.contains(&name))
        .ok_or_else(|| format!("unknown command :{name} (see :help)"))?;
    (spec.parse)(name, rest.trim())
}

fn needs<'a>(name: &str, rest: &'a str, what: &str) -> Result<&'a str, String> {
    if rest.is_empty() {
        Err(format!(":{name} needs {what}"))
    } else {
        Ok(rest)
    }
}

/// The first word and the rest, trimmed.
fn split_first(text: &str) -> (&str, &str) {
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    (first, rest.trim())
}

fn entry(kind: EntryKind, name: &str, rest: &str, what: &str) -> Result<Line, String> {
    Ok(Line::Write(Command::Entry {
        kind,
        text: needs(name, rest, what)?.to_string(),
        at: None,
        pinned: false,
    }))
}

fn item(state: ItemState, name: &str, rest: &str) -> Result<Line, String> {
    Ok(Line::Write(Command::SetItem {
        item: needs(name, rest, "an item key or name")?.to_string(),
        state,
        at: None,
    }))
}

/// `#N` or `N`: that entry; nothing: the selected one.
fn pin(pinned: bool, name: &str, rest: &str) -> Result<Line, String> {
    if rest.is_empty() {
        return Ok(Line::PinSelected { pinned });
    }
    let entry = rest
        .trim_start_matches('#')
        .parse()
        .map_err(|_| format!(":{name} takes an entry number like #12, not {rest:?}"))?;
    Ok(Line::Write(Command::Pin { entry, pinned }))
}

fn milestone(milestone: Milestone, rest: &str) -> Result<Line, String> {
    Ok(Line::Write(Command::Milestone {
        milestone,
        at: (!rest.is_empty()).then(|| rest.to_string()),
    }))
}

/// `done N`, or `[@owner] [due:WHEN] text` in any order.
fn action(text: &str) -> Result<Line, String> {
    if let Some(number) = text.strip_prefix("done ") {
        let id = number
            .trim()
            .trim_start_matches('#')
            .parse()
            .map_err(|_| format!(":action done takes an action item number, not {number:?}"))?;
        return Ok(Line::Write(Command::ActionDone(id)));
    }
    let (mut owner, mut due, mut words) = (None, None, Vec::new());
    for word in text.split_whitespace() {
        if let Some(who) = word
            .strip_prefix('@')
            .filter(|w| !w.is_empty() && owner.is_none())
        {
            owner = Some(who.to_string());
        } else if let Some(when) = word.strip_prefix("due:").filter(|_| due.is_none()) {
            due = Some(when.to_string());
        } else {
            words.push(word);
        }
    }
    if words.is_empty() {
        return Err(":action needs a text besides @owner and due:".into());
    }
    Ok(Line::Write(Command::AddAction {
        text: words.join(" "),
        owner,
        due,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;
    use crate::domain::timer::TimerState;

    fn write(line: &str) -> Command {
        match parse(line) {
            Ok(Line::Write(command)) => command,
            other => panic!("{line:?} gave {other:?}"),
        }
    }

    #[test]
    fn commands_parse() {
        assert_eq!(
            write("note rolled back  4812"),
            Command::Entry {
                kind: EntryKind::Note,
                text: "rolled back  4812".into(),
                at: None,
                pinned: false
            }
        );
        assert_eq!(
            write(":check 1.2"),
            Command::SetItem {
                item: "1.2".into(),
                state: ItemState::Done,
                at: None
            }
        );
        assert_eq!(parse("q"), Ok(Line::Quit));
        assert_eq!(
            write("severity p0 card data exposed"),
            Command::Severity {
                severity: Severity::P0,
                reason: "card data exposed".into()
            }
        );
        assert!(parse("severity P9").unwrap_err().contains("P0, P1, P2 or P3"));
        assert_eq!(
            write("timer 10m check rollback"),
            Command::StartTimer {
                length: "10m".into(),
                label: "check rollback".into()
            }
        );
        assert_eq!(
            write("timer done #3"),
            Command::CloseTimer {
                id: 3,
                state: TimerState::Done
            }
        );
        assert!(parse("timer 10m").is_err());
        assert_eq!(
            write("role incident commander bob"),
            Command::Role {
                role: "incident commander".into(),
                account: "bob".into()
            }
        );
        assert_eq!(write("phase next"), Command::Phase("next".into()));
        assert_eq!(
            write("action @bob due:+2d add an alert on 5xx"),
            Command::AddAction {
                text: "add an alert on 5xx".into(),
                owner: Some("bob".into()),
                due: Some("+2d".into())
            }
        );
        assert_eq!(write("action done 4"), Command::ActionDone(4));
        assert_eq!(
            write("mitigate 14:05"),
            Command::Milestone {
                milestone: Milestone::Mitigated,
                at: Some("14:05".into())
            }
        );
        assert_eq!(write("postmortem done"), Command::PostmortemDone);
        assert_eq!(
            write("pin #12"),
            Command::Pin {
                entry: 12,
                pinned: true
            }
        );
        assert_eq!(
            write("unpin 12"),
            Command::Pin {
                entry: 12,
                pinned: false
            }
        );
        assert_eq!(parse("unpin"), Ok(Line::PinSelected { pinned: false }));
        assert!(parse("pin twelve").unwrap_err().contains("entry number"));
        assert!(matches!(write("snooze 10m vendor"), Command::Snooze { .. }));
        assert!(parse("note").unwrap_err().contains("needs"));
        assert!(parse("launch missiles").unwrap_err().contains("unknown command"));
    }

    #[test]
    fn every_name_and_alias_in_the_table_parses_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for spec in TABLE {
            for name in spec.names {
                assert!(seen.insert(*name), ":{name} is in the table twice");
                // Whatever it says about missing arguments, it is not unknown.
                if let Err(message) = parse(name) {
                    assert!(!message.contains("unknown command"), ":{name}: {message}");
                }
            }
        }
    }
}
