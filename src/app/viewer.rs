//! The help, metrics and entry viewers.

use super::keymap::Action;
use super::{App, Input};

impl App {
    /// The help, metrics and entry viewers: scroll or close.
    pub(super) fn viewer_key(&mut self, action: Option<Action>) {
        match action {
            Some(Action::Down) => self.help_scroll = self.help_scroll.saturating_add(1),
            Some(Action::Up) => self.help_scroll = self.help_scroll.saturating_sub(1),
            Some(Action::PageDown) => self.help_scroll = self.help_scroll.saturating_add(10),
            Some(Action::PageUp) => self.help_scroll = self.help_scroll.saturating_sub(10),
            Some(Action::Search) => {
                if let Input::Entry(id) = self.input {
                    self.input = Input::EntrySearch(id);
                }
            }
            Some(Action::ToggleHelp | Action::Close) => {
                self.input = Input::Keys;
                self.evidence = None;
            }
            _ => {}
        }
    }
}
