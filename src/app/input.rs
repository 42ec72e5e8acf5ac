//! Keys and pastes: the keymap says what a key means in the current
//! context, and the handler of the input mode does it (one module each).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::keymap::{Action, Context};
use super::{App, Input, Request};
use crate::domain::EntryKind;

impl App {
    /// A key, as the keymap has it where the keyboard is: every handler
    /// below is given the action (if any) and types only what is no action.
    pub(super) fn key(&mut self, key: KeyEvent) -> Vec<Request> {
        let context = self.context();
        let action = self.keymap.action_for(context, &key);
        if action == Some(Action::Quit) {
            self.should_quit = true;
            return Vec::new();
        }
        if !self.loaded {
            return Vec::new();
        }
        match (context, self.input) {
            (Context::Start, _) => self.start_key(action, key),
            (Context::Replay, _) => self.replay_key(action, key),
            (_, Input::Composer(kind)) => self.composer_key(kind, action, key),
            (_, Input::CommandLine | Input::Search | Input::EntrySearch(_)) => self.prompt_key(action, key),
            (_, Input::Help | Input::Metrics | Input::Entry(_)) => {
                self.viewer_key(action);
                if matches!(action, Some(Action::Down | Action::PageDown)) {
                    self.keep_entry_scroll_in_range();
                }
                Vec::new()
            }
            (_, Input::SeverityPicker(index)) => {
                self.picker_key(index, action);
                Vec::new()
            }
            (_, Input::Keys) => action.map_or_else(Vec::new, |action| self.act(action)),
        }
    }

    pub(super) fn paste(&mut self, text: &str) {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        match self.input {
            Input::Composer(kind) => {
                self.draft_mut(kind).insert_str(&text);
            }
            Input::CommandLine | Input::Search | Input::EntrySearch(_) => {
                self.prompt.insert_str(text.replace('\n', " "));
            }
            Input::Keys if self.replay.is_some() => self.complain(super::replay::READ_ONLY),
            Input::Keys if self.record.is_none() => {
                if let Some(field) = self.start.field_mut() {
                    field.insert_str(text.replace('\n', " "));
                }
            }
            _ => self.say(format!(
                "To paste into a note, press {} first",
                self.key_name(Context::Global, Action::NewNote)
            )),
        }
    }

    pub(super) fn draft_mut(&mut self, kind: EntryKind) -> &mut TextArea<'static> {
        if kind == EntryKind::StatusUpdate {
            &mut self.update_draft
        } else {
            &mut self.note_draft
        }
    }

    pub(super) fn open_composer(&mut self, kind: EntryKind) {
        // With the database gone, writing on is fine: the words are kept as
        // a draft until the file is back (:reload).
        if self.database_gone.is_some() || self.writable() {
            if kind == EntryKind::StatusUpdate && self.update_draft.is_empty() {
                self.prefill_update();
            }
            self.input = Input::Composer(kind);
        }
    }

    /// A new status update starts from the runbook's template filled from
    /// the incident as it is now.
    fn prefill_update(&mut self) {
        let Some(view) = self.view() else { return };
        let text = crate::stakeholder::prefilled_update(&view, self.now);
        self.update_draft = super::text_area_to_continue(&text);
        self.update_prefill = Some(text);
    }

    /// Whether the status update is the template as filled, untouched: no
    /// draft to keep (opened again, it is filled afresh).
    pub(super) fn update_is_untouched_prefill(&self) -> bool {
        self.update_prefill.as_deref() == Some(super::text_of(&self.update_draft).as_str())
    }
}

/// Types a key that is no action into a text box. Line breaks come only
/// from the keymap's newline keys, so keys the box would read as a line break
/// of its own (Enter with any modifier, Ctrl-M) are dropped.
pub(super) fn type_into(area: &mut TextArea<'static>, key: KeyEvent) {
    let line_break = match key.code {
        KeyCode::Enter | KeyCode::Char('\n' | '\r') => true,
        KeyCode::Char('m') => key.modifiers.contains(KeyModifiers::CONTROL),
        _ => false,
    };
    if !line_break {
        area.input(key);
    }
}
