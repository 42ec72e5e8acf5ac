//! The one keymap: it drives the key handler, the footer hints and the `?`
//! help screen, so what is shown is always what works. [`KEYMAP`] holds the
//! defaults; [`Keymap::with_overrides`] applies the `[keys]` table of the
//! config file.

use std::borrow::Cow;
use std::collections::BTreeMap;

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

impl Action {
    /// The name used in the config file's `[keys]` table.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::ToggleHelp => "help",
            Action::FocusNext => "next_pane",
            Action::FocusPrevious => "previous_pane",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::NewNote => "new_note",
            Action::NewStatusUpdate => "status_update",
            Action::ChangeSeverity => "severity",
            Action::ToggleItem => "tick",
            Action::MarkNotApplicable => "not_applicable",
            Action::CommandLine => "command_line",
            Action::Search => "search",
            Action::ClearSearch => "clear_search",
            Action::Submit => "submit",
            Action::InsertNewline => "newline",
            Action::Leave => "leave",
        }
    }
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

    /// Reads a key as the config writes it: `n`, `G`, `?`, `space`, `enter`,
    /// `esc`, `tab`, `shift-tab`, `up`, `down`, `pgup`, `pgdn`, `home`, `end`,
    /// `ctrl-x`, `alt-enter`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let lower = text.to_lowercase();
        let (modifiers, rest) = if let Some(rest) = lower.strip_prefix("ctrl-") {
            (KeyModifiers::CONTROL, rest)
        } else if let Some(rest) = lower.strip_prefix("alt-") {
            (KeyModifiers::ALT, rest)
        } else {
            (KeyModifiers::NONE, lower.as_str())
        };
        let code = match rest {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            _ => {
                // A single character keeps its case: `G` is not `g`.
                let original = &text[text.len() - rest.len()..];
                let mut chars = original.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if modifiers == KeyModifiers::CONTROL => {
                        KeyCode::Char(c.to_ascii_lowercase())
                    }
                    (Some(c), None) => KeyCode::Char(c),
                    _ => {
                        return Err(format!(
                            "keys: cannot read the key {text:?} (like n, G, space, enter, ctrl-x)"
                        ));
                    }
                }
            }
        };
        Ok(Key { code, modifiers })
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
#[derive(Debug, Clone)]
pub struct Binding {
    pub context: Context,
    pub keys: Cow<'static, [Key]>,
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
        keys: Cow::Borrowed(keys),
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

/// The keymap in force: the defaults with the config's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: KEYMAP.to_vec(),
        }
    }
}

impl Keymap {
    /// Applies overrides `action name → keys` (`new_note = ["n", "a"]`): the
    /// keys replace that action's keys wherever it is bound. Unknown actions
    /// or keys, and a key bound twice in one context, are errors naming them.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut keymap = Keymap::default();
        for (name, keys) in overrides {
            let keys: Vec<Key> = keys.iter().map(|k| Key::parse(k)).collect::<Result<_, _>>()?;
            if keys.is_empty() {
                return Err(format!("keys.{name}: give at least one key"));
            }
            let mut found = false;
            for binding in keymap.bindings.iter_mut().filter(|b| b.action.name() == name) {
                binding.keys = Cow::Owned(keys.clone());
                found = true;
            }
            if !found {
                let known: Vec<&str> = KEYMAP.iter().map(|b| b.action.name()).collect();
                return Err(format!(
                    "keys.{name}: no such action; actions: {}",
                    known.join(", ")
                ));
            }
        }
        for (i, a) in keymap.bindings.iter().enumerate() {
            for b in &keymap.bindings[i + 1..] {
                let shadows = a.context == b.context
                    || (a.context == Context::Global && b.context != Context::Composer)
                    || (b.context == Context::Global && a.context != Context::Composer);
                if let Some(k) = a.keys.iter().find(|k| b.keys.contains(k))
                    && shadows
                    && a.action != b.action
                {
                    return Err(format!(
                        "keys: {} is bound to both {} and {}",
                        k.name(),
                        a.action.name(),
                        b.action.name()
                    ));
                }
            }
        }
        Ok(keymap)
    }

    /// Every binding, in footer and help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The action bound to `event` in `context`; pane bindings win over global
    /// ones. Composer keys are looked up on their own (everything else is text).
    pub fn action_for(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        let find = |wanted: Context| {
            self.bindings
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
    pub fn footer_bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        let pane = self
            .bindings
            .iter()
            .filter(move |b| b.context == context && b.in_footer);
        let global = self.bindings.iter().filter(move |b| {
            context != Context::Composer
                && b.context == Context::Global
                && b.in_footer
                && !self
                    .bindings
                    .iter()
                    .any(|p| p.context == context && p.in_footer && p.hint == b.hint)
        });
        pane.chain(global)
    }
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
        assert_eq!(
            Keymap::default().action_for(Context::Checklist, &space),
            Some(Action::ToggleItem)
        );
        assert_eq!(Keymap::default().action_for(Context::Timeline, &space), None);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            Keymap::default().action_for(Context::Timeline, &q),
            Some(Action::Quit)
        );
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            Keymap::default().action_for(Context::Checklist, &ctrl_c),
            Some(Action::Quit)
        );
        let shift_g = press(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            Keymap::default().action_for(Context::Timeline, &shift_g),
            Some(Action::Bottom)
        );
        let back_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            Keymap::default().action_for(Context::Checklist, &back_tab),
            Some(Action::FocusPrevious)
        );
    }

    #[test]
    fn composer_keys_are_only_its_own() {
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(Keymap::default().action_for(Context::Composer, &q), None);
        let ctrl_j = press(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(
            Keymap::default().action_for(Context::Composer, &ctrl_j),
            Some(Action::InsertNewline)
        );
        let alt_enter = press(KeyCode::Enter, KeyModifiers::ALT);
        assert_eq!(
            Keymap::default().action_for(Context::Composer, &alt_enter),
            Some(Action::InsertNewline)
        );
        let enter = press(KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            Keymap::default().action_for(Context::Composer, &enter),
            Some(Action::Submit)
        );
    }

    #[test]
    fn overrides_replace_an_actions_keys_and_refuse_clashes() {
        let mut overrides = BTreeMap::new();
        overrides.insert(
            "new_note".to_string(),
            vec!["a".to_string(), "ctrl-n".to_string()],
        );
        let keymap = Keymap::with_overrides(&overrides).unwrap();
        let a = press(KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(keymap.action_for(Context::Timeline, &a), Some(Action::NewNote));
        let n = press(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(
            keymap.action_for(Context::Timeline, &n),
            None,
            "n no longer writes a note"
        );
        overrides.insert("quit".to_string(), vec!["a".to_string()]);
        assert!(
            Keymap::with_overrides(&overrides)
                .unwrap_err()
                .contains("bound to both")
        );
        let mut unknown = BTreeMap::new();
        unknown.insert("launch".to_string(), vec!["l".to_string()]);
        assert!(
            Keymap::with_overrides(&unknown)
                .unwrap_err()
                .contains("no such action")
        );
        assert!(Key::parse("ctrl-").is_err());
        assert_eq!(Key::parse("G").unwrap().code, KeyCode::Char('G'));
        assert_eq!(Key::parse("shift-tab").unwrap().code, KeyCode::BackTab);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if a.context == b.context {
                    for k in a.keys.iter() {
                        assert!(!b.keys.contains(k), "{} bound twice in {:?}", k.name(), a.context);
                    }
                }
            }
        }
        // The defaults pass the same check the config's overrides must pass.
        assert!(Keymap::with_overrides(&BTreeMap::new()).is_ok());
    }

    #[test]
    fn footer_lists_pane_keys_first_without_repeats() {
        let hints: Vec<_> = Keymap::default()
            .footer_bindings(Context::Timeline)
            .map(|b| b.hint)
            .collect();
        assert_eq!(hints[0], "search");
        assert_eq!(hints.iter().filter(|h| **h == "search").count(), 1);
        assert!(hints.contains(&"quit"));
    }
}
