//! The start screen: type a title, say how long ago it was detected (now
//! unless told), pick a severity and a runbook, declare.

use chrono::{DateTime, Local, TimeZone, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::input::type_into;
use super::keymap::Action;
use super::{App, Request, StartField, StartForm, new_uuid, text_of};
use crate::domain::Severity;
use crate::domain::time::{parse_duration, parse_time};

impl StartForm {
    /// The text box being typed into (none on the runbook field).
    pub(super) fn field_mut(&mut self) -> Option<&mut TextArea<'static>> {
        match self.field {
            StartField::Title => Some(&mut self.title),
            StartField::Detected => Some(&mut self.detected),
            StartField::Runbook => None,
        }
    }

    /// ↑/↓: the runbook on its field, the severity everywhere else.
    fn step(&mut self, step: isize) {
        if self.field == StartField::Runbook {
            let last = self.runbooks.len().saturating_sub(1) as isize;
            self.runbook = (self.runbook as isize + step).clamp(0, last) as usize;
        } else {
            self.severity = step_severity(self.severity, step);
        }
    }
}

impl App {
    /// The declaration form: type a title, pick a severity, declare.
    pub(super) fn start_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Leave) => self.should_quit = true,
            Some(Action::SeverityUp) => self.start.step(-1),
            Some(Action::SeverityDown) => self.start.step(1),
            Some(Action::FocusNext) => {
                self.start.field = match self.start.field {
                    StartField::Title => StartField::Detected,
                    StartField::Detected => StartField::Runbook,
                    StartField::Runbook => StartField::Title,
                }
            }
            Some(Action::FocusPrevious) => {
                self.start.field = match self.start.field {
                    StartField::Title => StartField::Runbook,
                    StartField::Detected => StartField::Title,
                    StartField::Runbook => StartField::Detected,
                }
            }
            Some(Action::Submit) => return self.declare(),
            Some(Action::ToggleDrill) => self.start.drill = !self.start.drill,
            Some(_) => {}
            // A tab is no part of a title or a time (nor, rebound, a move).
            None if matches!(key.code, KeyCode::Tab | KeyCode::BackTab) => {}
            None => {
                if let Some(field) = self.start.field_mut() {
                    type_into(field, key);
                }
            }
        }
        Vec::new()
    }

    fn declare(&mut self) -> Vec<Request> {
        if self.read_only {
            self.complain(self.read_only_reason());
            return Vec::new();
        }
        let title = text_of(&self.start.title).trim().to_string();
        if title.is_empty() {
            self.start.field = StartField::Title;
            self.complain("Type a title for the incident first");
            return Vec::new();
        }
        let typed = text_of(&self.start.detected);
        let detected = match self.utc_offset {
            Some(offset) => detected_ago(&typed, &self.now.with_timezone(&offset)),
            None => detected_ago(&typed, &self.now.with_timezone(&Local)),
        };
        let detected_at = match detected {
            Ok(at) => at.map(|at| at.to_rfc3339()),
            Err(message) => {
                self.start.field = StartField::Detected;
                self.complain(format!("Detected: {message}"));
                return Vec::new();
            }
        };
        self.say("Declaring…");
        let runbook = self.start.chosen_runbook();
        vec![Request::Declare {
            uuid: new_uuid(),
            title,
            severity: self.start.severity,
            detected_at,
            runbook: (runbook.recorded_name.clone(), runbook.text.clone()),
            drill: self.start.drill,
        }]
    }
}

/// Reads "detected how long ago?": empty, `0` or `now` is now (None); a
/// length (`10m`, `1h`, `15` minutes) is that long before `now`; any other
/// time form (`14:05`, `-10m`, RFC 3339) is read as the command line reads
/// `--detected-at`, with the same bounds.
fn detected_ago<Tz: TimeZone>(typed: &str, now: &DateTime<Tz>) -> Result<Option<DateTime<Utc>>, String> {
    let typed = typed.trim();
    if typed.is_empty() || typed == "now" {
        return Ok(None);
    }
    let signed = typed.starts_with(['-', '+']);
    let at = match parse_duration(typed) {
        Ok(ago) if !signed && ago.is_zero() => return Ok(None),
        Ok(_) if !signed => parse_time(&format!("-{typed}"), now)?,
        _ => parse_time(typed, now)?,
    };
    Ok(Some(at))
}

fn step_severity(current: Severity, step: isize) -> Severity {
    let index = Severity::ALL.iter().position(|s| *s == current).unwrap_or(0) as isize;
    Severity::ALL[(index + step).clamp(0, 3) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn detected_how_long_ago() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 14, 30, 0).unwrap();
        for now_too in ["", " ", "0", "0m", "now"] {
            assert_eq!(detected_ago(now_too, &now), Ok(None), "{now_too:?}");
        }
        for (typed, ago) in [("10m", 10), ("15", 15), ("1h", 60), ("-10m", 10), ("14:05", 25)] {
            assert_eq!(
                detected_ago(typed, &now),
                Ok(Some(now - TimeDelta::minutes(ago))),
                "{typed:?}"
            );
        }
        // The command line's bounds and words.
        assert!(detected_ago("15:00", &now).unwrap_err().contains("future"));
        assert!(detected_ago("4000d", &now).unwrap_err().contains("ten years"));
        assert!(
            detected_ago("soon", &now)
                .unwrap_err()
                .contains("cannot read the time")
        );
    }
}
