//! Writes of incident command from this console: the `:` line and the keys
//! make a core [`Command`]; it is checked here against the record the
//! console shows, the same way the command line checks it, and the core's
//! answer is said on the message line.

use chrono::Local;

use super::command::{self, Line};
use super::{App, Input, Request, entry_text};
use crate::command::{Answer, Attempt, Command, Verdict};
use crate::domain::EntryKind;

impl App {
    pub(super) fn run_command(&mut self, line: &str) -> Vec<Request> {
        match command::parse(line) {
            Err(message) => {
                self.complain(message);
                Vec::new()
            }
            Ok(Line::Quit) => {
                self.should_quit = true;
                Vec::new()
            }
            Ok(Line::Help) => {
                self.input = Input::Help;
                Vec::new()
            }
            Ok(Line::Reload) => vec![Request::Reopen],
            Ok(Line::PinSelected { pinned }) => self.pin_selected(Some(pinned)),
            Ok(Line::Who) => self.open_who(),
            Ok(Line::Metrics) => {
                self.who = super::who::WhoView::Closed;
                self.help_scroll = 0;
                self.input = Input::Metrics;
                vec![Request::Metrics]
            }
            Ok(Line::Write(order)) => {
                // A severity change must not silently undo one made since
                // the commander looked.
                let seen = matches!(order, Command::Severity { .. })
                    .then(|| self.record.as_ref().map(|r| r.incident.version))
                    .flatten();
                self.order(order, seen)
            }
        }
    }

    /// Checks a write of incident command against the incident as this
    /// console sees it and the clock, the same way the command line does,
    /// and asks the worker to apply it; a refusal is said here.
    pub(super) fn order(&mut self, order: Command, seen_version: Option<i64>) -> Vec<Request> {
        if !self.writable() {
            return Vec::new();
        }
        let Some(record) = &self.record else {
            return Vec::new();
        };
        let checked = match self.utc_offset {
            Some(offset) => order.check(record, &self.now.with_timezone(&offset)),
            None => order.check(record, &self.now.with_timezone(&Local)),
        };
        match checked {
            Ok(write) => {
                let mut attempt = Attempt {
                    seen_version,
                    ..Attempt::new(record.incident.id, write)
                };
                // The same write as one the server may have committed
                // before it went away: same UUID, so it is applied once.
                if let Some(at) = self
                    .uncertain_writes
                    .iter()
                    .position(|u| u.incident_id == attempt.incident_id && u.write == attempt.write)
                {
                    attempt.uuid = self.uncertain_writes.remove(at).uuid;
                }
                vec![Request::Apply(attempt)]
            }
            Err(refusal) => {
                self.complain(refusal.message);
                Vec::new()
            }
        }
    }

    /// Says what the core answered for the last write of this console (an
    /// earlier write's answer would speak of something else).
    pub(super) fn hear(&mut self, request: &Request, answer: Answer) {
        if !self.is_awaited(request) {
            return;
        }
        let mut said = match (entry_text(request), answer.verdict) {
            (Some((EntryKind::StatusUpdate, _)), _) => "Status update posted; countdown reset".to_string(),
            (Some((EntryKind::Decision, _)), _) => "Decision recorded".to_string(),
            (Some(_), _) => "Note added".to_string(),
            (None, Verdict::Conflict) => format!("Not changed: {}. Press again to apply yours.", answer.text),
            (None, _) => answer.text,
        };
        if let Some(warning) = answer.warning {
            said = format!("{said} (warning: {warning})");
        }
        if answer.verdict == Verdict::Conflict {
            self.complain(said);
        } else {
            self.say(said);
        }
    }

    pub(super) fn read_only_reason(&self) -> String {
        format!(
            "Read-only: account {} cannot write {}; you can watch but not change it",
            self.account, self.database
        )
    }

    pub(super) fn writable(&mut self) -> bool {
        if self.replay.is_some() {
            self.complain(super::replay::READ_ONLY);
            return false;
        }
        if let Some(why) = &self.database_gone {
            self.complain(format!("Not saved (kept as a draft): {why}"));
            return false;
        }
        if self.read_only {
            self.complain(self.read_only_reason());
        }
        !self.read_only
    }
}
