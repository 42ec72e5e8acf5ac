//! The start screen: type a title, pick a severity, declare.

use ratatui::crossterm::event::KeyEvent;

use super::input::type_into;
use super::keymap::Action;
use super::{App, Request, new_uuid, text_of};
use crate::domain::Severity;

impl App {
    /// The declaration form: type a title, pick a severity, declare.
    pub(super) fn start_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Leave) => self.should_quit = true,
            Some(Action::SeverityUp) => self.start.severity = step_severity(self.start.severity, -1),
            Some(Action::SeverityDown) => self.start.severity = step_severity(self.start.severity, 1),
            Some(Action::Submit) => {
                if self.read_only {
                    self.complain(self.read_only_reason());
                    return Vec::new();
                }
                let title = text_of(&self.start.title).trim().to_string();
                if title.is_empty() {
                    self.complain("Type a title for the incident first");
                    return Vec::new();
                }
                self.say("Declaring…");
                return vec![Request::Declare {
                    uuid: new_uuid(),
                    title,
                    severity: self.start.severity,
                }];
            }
            Some(_) => {}
            None => type_into(&mut self.start.title, key),
        }
        Vec::new()
    }
}

fn step_severity(current: Severity, step: isize) -> Severity {
    let index = Severity::ALL.iter().position(|s| *s == current).unwrap_or(0) as isize;
    Severity::ALL[(index + step).clamp(0, 3) as usize]
}
