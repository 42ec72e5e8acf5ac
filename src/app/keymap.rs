//! The one keymap: it drives the key handler, the footer hints and the `?`
//! help screen, so what is shown is always what works.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something a key asks the console to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    ToggleHelp,
    FocusNext,
    FocusPrevious,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    NewNote,
    NewStatusUpdate,
    ChangeSeverity,
    ToggleItem,
    MarkNotApplicable,
    CommandLine,
    Search,
    ClearSearch,
    // In the composer and the one-line prompts.
    Submit,
    InsertNewline,
    Leave,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Anywhere on the console (outside text entry).
    Global,
    Checklist,
    Timeline,
    /// While writing a note or status update, or typing a `:`/`/` line.
    Composer,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Checklist => "Checklist pane",
            Context::Timeline => "Timeline pane",
            Context::Composer => "Writing a note (also the : and / lines)",
        }
    }
}

/// A key with its modifiers, comparable with what the terminal sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

const fn key(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::NONE,
    }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        modifiers: KeyModifiers::CONTROL,
    }
}

const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        modifiers: KeyModifiers::ALT,
    }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

impl Key {
    /// Whether the terminal's key event is this key. Shift is part of the
    /// character itself (`G`, `?`), so it is ignored for characters.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
        let (code, wanted) = match (event.code, self.code) {
            (KeyCode::BackTab, KeyCode::BackTab) => return true,
            (code, wanted) => (code, wanted),
        };
        code == wanted && (event.modifiers & relevant) == (self.modifiers & relevant)
    }

    /// How the key is written in the footer and help.
    pub fn name(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{}", base.to_uppercase())
        } else if self.modifiers.contains(KeyModifiers::ALT) {
            format!("Alt-{base}")
        } else {
            base
        }
    }
}

/// One row of the keymap.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    /// A word or two for the footer.
    pub hint: &'static str,
    /// What it does, for the help screen.
    pub help: &'static str,
    /// Whether the footer shows it.
    pub in_footer: bool,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    hint: &'static str,
    help: &'static str,
    in_footer: bool,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        hint,
        help,
        in_footer,
    }
}

use Action as A;
use Context as C;

/// The keymap. Order is the order of the footer and of the help screen.
pub const KEYMAP: &[Binding] = &[
    bind(
        C::Checklist,
        &[ch(' ')],
        A::ToggleItem,
        "tick",
        "Tick the selected item (or reopen it)",
        true,
    ),
    bind(
        C::Checklist,
        &[ch('x')],
        A::MarkNotApplicable,
        "n/a",
        "Mark the selected item not applicable",
        true,
    ),
    bind(
        C::Timeline,
        &[ch('/')],
        A::Search,
        "search",
        "Search the timeline",
        true,
    ),
    bind(
        C::Timeline,
        &[key(KeyCode::Esc)],
        A::ClearSearch,
        "clear",
        "Clear the search",
        false,
    ),
    bind(
        C::Global,
        &[ch('n')],
        A::NewNote,
        "note",
        "Write a timeline note",
        true,
    ),
    bind(
        C::Global,
        &[ch('u')],
        A::NewStatusUpdate,
        "update",
        "Post a status update (resets its countdown)",
        true,
    ),
    bind(
        C::Global,
        &[ch('s')],
        A::ChangeSeverity,
        "severity",
        "Change severity (escalation triggers shown)",
        true,
    ),
    bind(
        C::Global,
        &[ch('/')],
        A::Search,
        "search",
        "Search the timeline",
        false,
    ),
    bind(
        C::Global,
        &[ch(':')],
        A::CommandLine,
        "cmd",
        "Command line (:note, :check, :timer, :role, :phase, :snooze, :q)",
        true,
    ),
    bind(
        C::Global,
        &[key(KeyCode::Tab)],
        A::FocusNext,
        "pane",
        "Next pane",
        true,
    ),
    bind(
        C::Global,
        &[key(KeyCode::BackTab)],
        A::FocusPrevious,
        "",
        "Previous pane",
        false,
    ),
    bind(
        C::Global,
        &[ch('k'), key(KeyCode::Up)],
        A::Up,
        "",
        "Move up / scroll back",
        false,
    ),
    bind(
        C::Global,
        &[ch('j'), key(KeyCode::Down)],
        A::Down,
        "",
        "Move down / scroll forward",
        false,
    ),
    bind(
        C::Global,
        &[key(KeyCode::PageUp), ctrl('b')],
        A::PageUp,
        "",
        "Page up",
        false,
    ),
    bind(
        C::Global,
        &[key(KeyCode::PageDown), ctrl('f')],
        A::PageDown,
        "",
        "Page down",
        false,
    ),
    bind(
        C::Global,
        &[ch('g'), key(KeyCode::Home)],
        A::Top,
        "",
        "First item / oldest entry",
        false,
    ),
    bind(
        C::Global,
        &[ch('G'), key(KeyCode::End)],
        A::Bottom,
        "",
        "Last item / follow new entries",
        false,
    ),
    bind(
        C::Global,
        &[ch('?')],
        A::ToggleHelp,
        "help",
        "Show or hide this help",
        true,
    ),
    bind(
        C::Global,
        &[ch('q'), ctrl('c')],
        A::Quit,
        "quit",
        "Quit (Ctrl-C quits from anywhere)",
        true,
    ),
    bind(
        C::Composer,
        &[key(KeyCode::Enter)],
        A::Submit,
        "send",
        "Submit",
        true,
    ),
    bind(
        C::Composer,
        &[ctrl('j'), alt(KeyCode::Enter)],
        A::InsertNewline,
        "newline",
        "New line in a note (Ctrl-J works over any SSH terminal)",
        true,
    ),
    bind(
        C::Composer,
        &[key(KeyCode::Esc)],
        A::Leave,
        "leave",
        "Leave; the draft is kept for next time",
        true,
    ),
];

/// The action bound to `event` in `context`; pane bindings win over global
/// ones. Composer keys are looked up on their own (everything else is text).
pub fn action_for(context: Context, event: &KeyEvent) -> Option<Action> {
    let find = |wanted: Context| {
        KEYMAP
            .iter()
            .find(|b| b.context == wanted && b.keys.iter().any(|k| k.matches(event)))
            .map(|b| b.action)
    };
    match context {
        Context::Composer => find(Context::Composer),
        Context::Global => find(Context::Global),
        pane => find(pane).or_else(|| find(Context::Global)),
    }
}

/// The bindings the footer shows in `context`: the pane's own, then global ones.
pub fn footer_bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    let pane = KEYMAP.iter().filter(move |b| b.context == context && b.in_footer);
    let global = KEYMAP.iter().filter(move |b| {
        context != Context::Composer
            && b.context == Context::Global
            && b.in_footer
            && !KEYMAP
                .iter()
                .any(|p| p.context == context && p.in_footer && p.hint == b.hint)
    });
    pane.chain(global)
}

/// "j/↓" style list of a binding's keys.
pub fn keys_label(binding: &Binding) -> String {
    binding.keys.iter().map(Key::name).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn pane_keys_win_and_globals_fall_through() {
        let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
        assert_eq!(action_for(Context::Checklist, &space), Some(Action::ToggleItem));
        assert_eq!(action_for(Context::Timeline, &space), None);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(action_for(Context::Timeline, &q), Some(Action::Quit));
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Context::Checklist, &ctrl_c), Some(Action::Quit));
        let shift_g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(Context::Timeline, &shift_g), Some(Action::Bottom));
        let back_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            action_for(Context::Checklist, &back_tab),
            Some(Action::FocusPrevious)
        );
    }

    #[test]
    fn composer_keys_are_only_its_own() {
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(action_for(Context::Composer, &q), None);
        let ctrl_j = press(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(
            action_for(Context::Composer, &ctrl_j),
            Some(Action::InsertNewline)
        );
        let alt_enter = press(KeyCode::Enter, KeyModifiers::ALT);
        assert_eq!(
            action_for(Context::Composer, &alt_enter),
            Some(Action::InsertNewline)
        );
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(action_for(Context::Composer, &enter), Some(Action::Submit));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if a.context == b.context {
                    for k in a.keys {
                        assert!(!b.keys.contains(k), "{} bound twice in {:?}", k.name(), a.context);
                    }
                }
            }
        }
    }

    #[test]
    fn footer_lists_pane_keys_first_without_repeats() {
        let hints: Vec<_> = footer_bindings(Context::Timeline).map(|b| b.hint).collect();
        assert_eq!(hints[0], "search");
        assert_eq!(hints.iter().filter(|h| **h == "search").count(), 1);
        assert!(hints.contains(&"quit"));
    }
}
