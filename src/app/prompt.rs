//! The `:` command line and the `/` search line.

use ratatui::crossterm::event::KeyEvent;

use super::input::type_into;
use super::keymap::{Action, Context};
use super::{App, Input, Request, empty_area, text_of};

impl App {
    pub(super) fn prompt_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Submit) => {
                let line = text_of(&self.prompt);
                self.prompt = empty_area();
                let input = std::mem::replace(&mut self.input, Input::Keys);
                if input == Input::Search {
                    let query = line.trim();
                    self.search = (!query.is_empty()).then(|| query.to_string());
                    self.refresh_search();
                    self.timeline_offset = 0;
                    if let Some(q) = &self.search {
                        let n = self.visible_count();
                        let clear = self.key_name(Context::Timeline, Action::ClearSearch);
                        self.say(format!("{n} entries match {q:?}; {clear} in the timeline clears"));
                    }
                    Vec::new()
                } else {
                    self.run_command(&line)
                }
            }
            Some(Action::Leave) => {
                self.prompt = empty_area();
                self.input = Input::Keys;
                Vec::new()
            }
            Some(_) => Vec::new(),
            None => {
                type_into(&mut self.prompt, key);
                Vec::new()
            }
        }
    }
}
