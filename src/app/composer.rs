//! Writing a note or a status update: submit, new line, leave with the
//! draft kept.

use ratatui::crossterm::event::KeyEvent;

use super::input::type_into;
use super::keymap::Action;
use super::{App, Input, Request, empty_draft, text_of};
use crate::command::Command;
use crate::domain::EntryKind;

impl App {
    pub(super) fn composer_key(
        &mut self,
        kind: EntryKind,
        action: Option<Action>,
        key: KeyEvent,
    ) -> Vec<Request> {
        match action {
            Some(Action::Submit) => {
                let text = text_of(self.draft_mut(kind)).trim_end().to_string();
                if text.trim().is_empty() {
                    self.complain("Nothing to send: the note is empty");
                    return Vec::new();
                }
                if let Some(why) = &self.database_gone {
                    self.complain(format!("Not saved (kept as a draft): {why}"));
                    return Vec::new();
                }
                let sent = self.order(
                    Command::Entry {
                        kind,
                        text,
                        at: None,
                        pinned: false,
                    },
                    None,
                );
                // Refused here: the words stay in the composer.
                if !sent.is_empty() {
                    *self.draft_mut(kind) = empty_draft();
                    self.input = Input::Keys;
                }
                sent
            }
            Some(Action::InsertNewline) => {
                self.draft_mut(kind).insert_newline();
                Vec::new()
            }
            Some(Action::Leave) => {
                self.input = Input::Keys;
                if kind == EntryKind::StatusUpdate && self.update_is_untouched_prefill() {
                    self.update_draft = empty_draft();
                } else if !self.draft_mut(kind).is_empty() {
                    self.say("Draft kept: press the same key to go on writing");
                }
                Vec::new()
            }
            Some(_) => Vec::new(),
            None => {
                type_into(self.draft_mut(kind), key);
                Vec::new()
            }
        }
    }
}
