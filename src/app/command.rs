//! The `:` command line: parsing what was typed into a command.

use chrono::TimeDelta;

use crate::domain::time::parse_duration;
use crate::domain::timer::TimerState;
use crate::domain::{ItemState, Milestone, Severity};

/// A command typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Note(String),
    StatusUpdate(String),
    /// Set a checklist item (key or part of its name) to a state.
    Check {
        item: String,
        state: ItemState,
    },
    Severity {
        severity: Severity,
        reason: String,
    },
    Snooze {
        length: TimeDelta,
        reason: String,
    },
    Phase(PhaseTarget),
    StartTimer {
        length: TimeDelta,
        label: String,
    },
    CloseTimer {
        id: i64,
        state: TimerState,
    },
    Role {
        role: String,
        account: String,
    },
    /// `:ack`, `:mitigate`, `:resolve`, `:close`, with an optional time (`T` forms).
    Milestone {
        milestone: Milestone,
        at: Option<String>,
    },
    PostmortemDone,
    AddAction {
        text: String,
        owner: Option<String>,
        /// As typed after `due:` (`+2d`, `2026-03-05`).
        due: Option<String>,
    },
    ActionDone(i64),
    Help,
    Metrics,
    /// Open the database file now at the path (after it was removed or replaced).
    Reload,
    Quit,
}

/// Where `:phase` goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhaseTarget {
    Next,
    /// 1-based, as shown.
    Number(usize),
}

/// The commands, for the help screen.
pub const COMMANDS: &[(&str, &str)] = &[
    (":note TEXT", "add a timeline note"),
    (":status TEXT", "post a status update"),
    (
        ":check ITEM",
        "mark an item done (key like 1.2 or part of its name)",
    ),
    (":uncheck ITEM", "reopen an item"),
    (":na ITEM", "mark an item not applicable"),
    (
        ":severity P0 WHY",
        "change severity (P0–P3) and say why (or press s)",
    ),
    (":timer 10m TEXT", "start a timer everyone sees"),
    (":timer done N", "mark timer N done (or: cancel N)"),
    (
        ":snooze 10m WHY",
        "push the status-update countdown out, with a reason",
    ),
    (":phase next", "advance the response phase (or :phase N)"),
    (":role ic alice", "hand a role over (ic, comms, scribe, ops, …)"),
    (
        ":ack / :mitigate",
        "record a milestone now (or :mitigate 14:05, :ack -10m)",
    ),
    (
        ":resolve / :close",
        "resolve (starts the 48 h post-mortem clock) / close",
    ),
    (
        ":action @bob due:+2d TEXT",
        "add an action item (owner and due optional)",
    ),
    (":action done N", "mark action item N done"),
    (":postmortem done", "the post-mortem is written"),
    (
        ":metrics",
        "MTTD, time to respond/resolve, post-mortem and action-item rates",
    ),
    (
        ":reload",
        "open the database file now at its path (after it was removed or replaced)",
    ),
    (":help", "show the help"),
    (":q", "quit"),
];

pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim().trim_start_matches(':').trim_start();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let needs = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            Err(format!(":{name} needs {what}"))
        } else {
            Ok(rest.to_string())
        }
    };
    match name {
        "note" | "n" => Ok(Command::Note(needs("the note text")?)),
        "status" | "update" | "u" => Ok(Command::StatusUpdate(needs("the update text")?)),
        "check" | "done" => Ok(Command::Check {
            item: needs("an item key or name")?,
            state: ItemState::Done,
        }),
        "uncheck" | "reopen" => Ok(Command::Check {
            item: needs("an item key or name")?,
            state: ItemState::Open,
        }),
        "na" => Ok(Command::Check {
            item: needs("an item key or name")?,
            state: ItemState::NotApplicable,
        }),
        "severity" | "sev" => {
            let text = needs("a severity and a reason, e.g. :severity P1 login failing")?;
            let (level, reason) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
            Ok(Command::Severity {
                severity: level.parse()?,
                reason: reason.trim().to_string(),
            })
        }
        "snooze" => {
            let text = needs("a length and a reason, e.g. :snooze 10m waiting for the vendor")?;
            let (length, reason) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
            Ok(Command::Snooze {
                length: parse_duration(length)?,
                reason: reason.trim().to_string(),
            })
        }
        "phase" => {
            let target = needs("next or a phase number")?;
            if target == "next" {
                Ok(Command::Phase(PhaseTarget::Next))
            } else {
                let n = target
                    .parse()
                    .map_err(|_| format!(":phase takes next or a number, not {target:?}"))?;
                Ok(Command::Phase(PhaseTarget::Number(n)))
            }
        }
        "timer" | "t" => {
            let text = needs("a length and a label, e.g. :timer 10m check rollback")?;
            let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((&text, ""));
            let rest = rest.trim();
            let close = |state| {
                let id = rest
                    .trim_start_matches('#')
                    .parse()
                    .map_err(|_| format!(":timer {first} takes a timer number"))?;
                Ok(Command::CloseTimer { id, state })
            };
            match first {
                "done" => close(TimerState::Done),
                "cancel" => close(TimerState::Cancelled),
                length if !rest.is_empty() => Ok(Command::StartTimer {
                    length: parse_duration(length)?,
                    label: rest.to_string(),
                }),
                _ => Err(":timer needs a label: :timer 10m check rollback".into()),
            }
        }
        "role" => {
            let text = needs("a role and an account, e.g. :role ic alice")?;
            match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                [role @ .., account] if !role.is_empty() => Ok(Command::Role {
                    role: role.join(" "),
                    account: account.to_string(),
                }),
                _ => Err(":role needs a role and an account, e.g. :role ic alice".into()),
            }
        }
        "ack" | "acknowledge" | "mitigate" | "resolve" | "close" => {
            let milestone = match name {
                "mitigate" => Milestone::Mitigated,
                "resolve" => Milestone::Resolved,
                "close" => Milestone::Closed,
                _ => Milestone::Acknowledged,
            };
            Ok(Command::Milestone {
                milestone,
                at: (!rest.is_empty()).then(|| rest.to_string()),
            })
        }
        "postmortem" | "pm" if rest == "done" => Ok(Command::PostmortemDone),
        "postmortem" | "pm" => Err(":postmortem done marks the post-mortem written".into()),
        "action" | "a" => {
            let text = needs("a text, e.g. :action @bob due:+2d add an alert on 5xx")?;
            if let Some(number) = text.strip_prefix("done ") {
                let id = number
                    .trim()
                    .trim_start_matches('#')
                    .parse()
                    .map_err(|_| format!(":action done takes an action item number, not {number:?}"))?;
                return Ok(Command::ActionDone(id));
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
            Ok(Command::AddAction {
                text: words.join(" "),
                owner,
                due,
            })
        }
        "help" | "h" => Ok(Command::Help),
        "metrics" | "m" => Ok(Command::Metrics),
        "reload" => Ok(Command::Reload),
        "q" | "quit" | "q!" | "wq" => Ok(Command::Quit),
        "" => Err("type a command, e.g. :note TEXT (see :help)".into()),
        other => Err(format!("unknown command :{other} (see :help)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(
            parse("note rolled back  4812"),
            Ok(Command::Note("rolled back  4812".into()))
        );
        assert_eq!(
            parse(":check 1.2"),
            Ok(Command::Check {
                item: "1.2".into(),
                state: ItemState::Done
            })
        );
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(
            parse("severity p0 card data exposed"),
            Ok(Command::Severity {
                severity: Severity::P0,
                reason: "card data exposed".into()
            })
        );
        assert!(parse("severity P9").unwrap_err().contains("P0, P1, P2 or P3"));
        assert_eq!(
            parse("timer 10m check rollback"),
            Ok(Command::StartTimer {
                length: TimeDelta::minutes(10),
                label: "check rollback".into()
            })
        );
        assert_eq!(
            parse("timer done #3"),
            Ok(Command::CloseTimer {
                id: 3,
                state: TimerState::Done
            })
        );
        assert!(parse("timer 10m").is_err());
        assert_eq!(
            parse("role incident commander bob"),
            Ok(Command::Role {
                role: "incident commander".into(),
                account: "bob".into()
            })
        );
        assert_eq!(parse("phase next"), Ok(Command::Phase(PhaseTarget::Next)));
        assert_eq!(
            parse("action @bob due:+2d add an alert on 5xx"),
            Ok(Command::AddAction {
                text: "add an alert on 5xx".into(),
                owner: Some("bob".into()),
                due: Some("+2d".into())
            })
        );
        assert_eq!(parse("action done 4"), Ok(Command::ActionDone(4)));
        assert_eq!(
            parse("mitigate 14:05"),
            Ok(Command::Milestone {
                milestone: Milestone::Mitigated,
                at: Some("14:05".into())
            })
        );
        assert_eq!(parse("postmortem done"), Ok(Command::PostmortemDone));
        assert!(matches!(parse("snooze 10m vendor"), Ok(Command::Snooze { .. })));
        assert!(parse("note").unwrap_err().contains("needs"));
        assert!(parse("launch missiles").unwrap_err().contains("unknown command"));
    }
}
