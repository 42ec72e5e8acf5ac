//! The `:` command line: parsing what was typed into a command.

use crate::domain::{ItemState, Severity};

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
    Help,
    Quit,
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
    (":severity P0 WHY", "change severity (P0–P3) and say why"),
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
        "help" | "h" => Ok(Command::Help),
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
        assert!(parse("note").unwrap_err().contains("needs"));
        assert!(parse("launch missiles").unwrap_err().contains("unknown command"));
    }
}
