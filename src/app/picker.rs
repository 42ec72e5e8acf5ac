//! The severity picker: move or choose by number, then say why on the
//! command line.

use super::keymap::{Action, Context};
use super::{App, Input, text_area};
use crate::domain::Severity;

impl App {
    /// The severity picker: move or pick by number, then say why.
    pub(super) fn picker_key(&mut self, index: usize, action: Option<Action>) {
        match action {
            Some(Action::Up) => self.input = Input::SeverityPicker(index.saturating_sub(1)),
            Some(Action::Down) => self.input = Input::SeverityPicker((index + 1).min(3)),
            Some(Action::Submit) => {
                // The reason is typed on the command line, pre-filled.
                self.prompt = text_area(vec![format!("severity {} ", Severity::ALL[index])]);
                self.prompt.move_cursor(ratatui_textarea::CursorMove::End);
                self.input = Input::CommandLine;
                self.say(format!(
                    "Say why, then {}",
                    self.key_name(Context::Prompt, Action::Submit)
                ));
            }
            Some(Action::Close) => self.input = Input::Keys,
            Some(choose) => {
                if let Some(chosen) = choose.chosen_severity() {
                    self.input = Input::SeverityPicker(chosen);
                }
            }
            None => {}
        }
    }
}
