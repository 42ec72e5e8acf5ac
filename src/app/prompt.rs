//! The `:` command line and the `/` search line; `:` completes command
//! names from the one command table.

use ratatui::crossterm::event::KeyEvent;

use super::command::{Spec, TABLE};
use super::input::type_into;
use super::keymap::Action;
use super::{App, Input, Request, empty_area, text_area, text_of};

impl App {
    pub(super) fn prompt_key(&mut self, action: Option<Action>, key: KeyEvent) -> Vec<Request> {
        match action {
            Some(Action::Submit) => {
                let line = text_of(&self.prompt);
                self.prompt = empty_area();
                let input = std::mem::replace(&mut self.input, Input::Keys);
                if let Input::EntrySearch(id) = input {
                    self.input = Input::Entry(id);
                    self.search_open_entry(&line);
                    Vec::new()
                } else if input == Input::Search {
                    self.search_for(&line)
                } else {
                    self.run_command(&line)
                }
            }
            Some(Action::Complete) => {
                if self.input == Input::CommandLine
                    && let Some(completed) = complete(&text_of(&self.prompt))
                {
                    let mut area = text_area(vec![completed]);
                    area.move_cursor(ratatui_textarea::CursorMove::End);
                    self.prompt = area;
                }
                Vec::new()
            }
            Some(Action::Leave) => {
                self.prompt = empty_area();
                self.input = match self.input {
                    Input::EntrySearch(id) => Input::Entry(id),
                    _ => Input::Keys,
                };
                Vec::new()
            }
            Some(_) => Vec::new(),
            // A tab in a one-line command or search is never meant (and
            // Tab may have been rebound away from completing).
            None if key.code == ratatui::crossterm::event::KeyCode::Tab => Vec::new(),
            None => {
                type_into(&mut self.prompt, key);
                Vec::new()
            }
        }
    }
}

/// The first word of a `:` line and whether more follows it.
fn command_word(line: &str) -> (&str, bool) {
    let line = line.trim_start().trim_start_matches(':');
    match line.split_once(char::is_whitespace) {
        Some((word, _)) => (word, true),
        None => (line, false),
    }
}

/// The commands a `:` line being typed may be, in the table's order: the
/// one its first word names once a space follows, else every command with
/// a name (or alias) starting with it.
pub fn candidates(line: &str) -> Vec<&'static Spec> {
    let (word, finished) = command_word(line);
    let word = word.to_lowercase();
    if word.is_empty() {
        return Vec::new();
    }
    TABLE
        .iter()
        .filter(|spec| {
            spec.names.iter().any(|name| {
                if finished {
                    *name == word
                } else {
                    name.starts_with(&word)
                }
            })
        })
        .collect()
}

/// The line after Tab: a name that can only be one command is written out
/// with a space after it (`sn` → `snooze `); several are completed as far
/// as their names agree. None when there is nothing to add.
pub fn complete(line: &str) -> Option<String> {
    let (word, finished) = command_word(line);
    if finished || word.is_empty() {
        return None;
    }
    let word = word.to_lowercase();
    let specs = candidates(&word);
    let exact = specs.iter().any(|spec| spec.names.contains(&word.as_str()));
    let completed = if exact {
        format!("{word} ")
    } else if let [spec] = specs.as_slice() {
        let name = spec.names.iter().find(|n| n.starts_with(&word))?;
        format!("{name} ")
    } else {
        let names: Vec<&str> = specs
            .iter()
            .flat_map(|spec| spec.names.iter().copied())
            .filter(|name| name.starts_with(&word))
            .collect();
        common_prefix(&names)?
    };
    (completed.len() > word.len()).then_some(completed)
}

/// The longest start all `names` share.
fn common_prefix(names: &[&str]) -> Option<String> {
    let first = names.first()?;
    let mut length = first.len();
    for name in &names[1..] {
        length = length.min(
            first
                .bytes()
                .zip(name.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    Some(first[..length].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<&'static str> {
        candidates(line).iter().map(|spec| spec.names[0]).collect()
    }

    #[test]
    fn tab_completes_a_command_name() {
        assert_eq!(complete("sn").as_deref(), Some("snooze "));
        assert_eq!(complete(":sn").as_deref(), Some("snooze "));
        assert_eq!(complete("  sno").as_deref(), Some("snooze "));
        // An alias that is a whole name is taken as typed.
        assert_eq!(complete("sev").as_deref(), Some("sev "));
        assert_eq!(complete("deci").as_deref(), Some("decide "));
        // Nothing to add: a finished name, nothing typed, nothing known.
        assert_eq!(complete("snooze 10m"), None);
        assert_eq!(complete(""), None);
        assert_eq!(complete("zz"), None);
    }

    #[test]
    fn ambiguous_prefixes_list_their_commands() {
        assert_eq!(names("st"), vec!["status", "started"]);
        assert_eq!(complete("st").as_deref(), Some("sta"));
        assert_eq!(names("s"), vec!["status", "severity", "snooze", "started"]);
        assert_eq!(complete("s"), None, "no letter they share to add");
        // Once a space follows, the line names one command.
        assert_eq!(names("status all good"), vec!["status"]);
        assert!(names("zz").is_empty());
    }
}
