//! The one keymap: it drives every key handler of the console (the panes,
//! the start screen, the severity picker, the help and metrics viewers, the
//! composer and the `:`/`/` lines) and every key hint (the footer, the `?`
//! help, dialog titles), so what is shown is always what works.
//! [`Keymap::default`] holds the defaults; [`Keymap::with_overrides`]
//! applies the `[keys]` table of the config file.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Something a key asks the console to do. One action may be bound in
/// several contexts (`up` moves in a pane, scrolls the help, chooses in the
/// picker); rebinding it in `[keys]` changes it in all of them.
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
    /// Pin or unpin the selected timeline entry.
    Pin,
    /// Open the selected timeline entry whole.
    OpenEntry,
    NewDecision,
    // While typing: the composer, the one-line prompts, the start screen.
    Submit,
    InsertNewline,
    Leave,
    /// Completes the command name typed after `:`.
    Complete,
    // The start screen's severity (its letters are the title's).
    SeverityUp,
    SeverityDown,
    /// The start screen: declare it as a drill, or not.
    ToggleDrill,
    // The severity picker, by number.
    ChooseP0,
    ChooseP1,
    ChooseP2,
    ChooseP3,
    /// Closes the picker or a viewer.
    Close,
    // A replay (`warroom replay`): its clock.
    ReplayPause,
    ReplayStepForward,
    ReplayStepBack,
    /// A minute on, or back.
    ReplayForward,
    ReplayBack,
    /// Ten minutes on, or back.
    ReplayForwardMore,
    ReplayBackMore,
    ReplayFaster,
    ReplaySlower,
    ReplayStart,
    ReplayEnd,
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
            Action::Pin => "pin",
            Action::OpenEntry => "open_entry",
            Action::NewDecision => "decision",
            Action::Submit => "submit",
            Action::InsertNewline => "newline",
            Action::Leave => "leave",
            Action::Complete => "complete",
            Action::SeverityUp => "severity_up",
            Action::SeverityDown => "severity_down",
            Action::ToggleDrill => "drill",
            Action::ChooseP0 => "choose_p0",
            Action::ChooseP1 => "choose_p1",
            Action::ChooseP2 => "choose_p2",
            Action::ChooseP3 => "choose_p3",
            Action::Close => "close",
            Action::ReplayPause => "replay_pause",
            Action::ReplayStepForward => "replay_step",
            Action::ReplayStepBack => "replay_step_back",
            Action::ReplayForward => "replay_forward",
            Action::ReplayBack => "replay_back",
            Action::ReplayForwardMore => "replay_forward_more",
            Action::ReplayBackMore => "replay_back_more",
            Action::ReplayFaster => "replay_faster",
            Action::ReplaySlower => "replay_slower",
            Action::ReplayStart => "replay_start",
            Action::ReplayEnd => "replay_end",
        }
    }

    /// The severity (index into P0..P3) a `choose_pN` action picks.
    pub fn chosen_severity(self) -> Option<usize> {
        match self {
            Action::ChooseP0 => Some(0),
            Action::ChooseP1 => Some(1),
            Action::ChooseP2 => Some(2),
            Action::ChooseP3 => Some(3),
            _ => None,
        }
    }

    /// Whether the action writes to the record (or opens the `:` line,
    /// whose commands are writes): a replay refuses it.
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::NewNote
                | Action::NewStatusUpdate
                | Action::NewDecision
                | Action::ChangeSeverity
                | Action::ToggleItem
                | Action::MarkNotApplicable
                | Action::Pin
                | Action::CommandLine
        )
    }
}

/// Where a binding applies: what has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Both panes (outside text entry and dialogs).
    Global,
    Checklist,
    Timeline,
    /// Writing a note or a status update.
    Composer,
    /// Typing a `:` command or a `/` search.
    Prompt,
    /// No open incident: the declaration form.
    Start,
    SeverityPicker,
    /// The `?` help.
    Help,
    /// The metrics across incidents (`:metrics`).
    Metrics,
    /// One timeline entry, whole.
    Entry,
    /// A replay's panes (`warroom replay`): its own keys only; a key that
    /// would write in the panes says the replay is read-only.
    Replay,
}

impl Context {
    /// Every context, in the order of the help screen.
    pub const ALL: [Context; 11] = [
        Context::Global,
        Context::Checklist,
        Context::Timeline,
        Context::Composer,
        Context::Prompt,
        Context::Start,
        Context::SeverityPicker,
        Context::Help,
        Context::Metrics,
        Context::Entry,
        Context::Replay,
    ];

    /// What a replay's help lists: the keys that work in a replay.
    pub const IN_REPLAY: [Context; 3] = [Context::Replay, Context::Help, Context::Entry];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Checklist => "Checklist pane",
            Context::Timeline => "Timeline pane",
            Context::Composer => "Writing a note or status update",
            Context::Prompt => "The : and / lines",
            Context::Start => "Start screen (no open incident)",
            Context::SeverityPicker => "Severity picker",
            Context::Help => "This help",
            Context::Metrics => "Metrics view",
            Context::Entry => "An entry opened whole",
            Context::Replay => "Replay (warroom replay)",
        }
    }

    /// Whether plain characters typed here are text, never commands.
    pub fn takes_text(self) -> bool {
        matches!(self, Context::Composer | Context::Prompt | Context::Start)
    }

    /// Whether the global bindings apply here as well as the context's own.
    fn has_global_keys(self) -> bool {
        matches!(self, Context::Global | Context::Checklist | Context::Timeline)
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

    /// Whether the key types a character (no Ctrl or Alt): text where the
    /// user writes, a command elsewhere.
    pub fn is_text(&self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }

    /// The event the terminal sends for this key.
    pub fn event(&self) -> KeyEvent {
        KeyEvent::new(self.code, self.modifiers)
    }

    /// Reads a key as the config writes it: `n`, `G`, `?`, `space`, `enter`,
    /// `esc`, `tab`, `shift-tab`, `up`, `down`, `left`, `right`, `pgup`, `pgdn`, `home`, `end`,
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
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
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
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
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
    /// A word or two for the footer; bindings of one context with the same
    /// hint share it (`j/k scroll`).
    pub hint: &'static str,
    /// What it does, for the help screen; rows of one context with the same
    /// text share a line.
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

const ESC: Key = key(KeyCode::Esc);
const ENTER: Key = key(KeyCode::Enter);
const UP: Key = key(KeyCode::Up);
const DOWN: Key = key(KeyCode::Down);

const SCROLL_DOWN: &[Key] = &[ch('j'), DOWN];
const SCROLL_UP: &[Key] = &[ch('k'), UP];
const PAGE_DOWN: &[Key] = &[key(KeyCode::PageDown), ctrl('f')];
const PAGE_UP: &[Key] = &[key(KeyCode::PageUp), ctrl('b')];
const HELP_KEY: &[Key] = &[ch('?')];
const CLOSE_KEYS: &[Key] = &[ESC, ch('q')];

/// The keymap, with the viewers' bindings after it ([`Keymap::default`]).
/// Order is the order of the footer and of the help screen.
const KEYMAP: &[Binding] = &[
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
        &[ch('p')],
        A::Pin,
        "pin",
        "Pin or unpin the selected entry (the export's Impact lists pins)",
        true,
    ),
    bind(
        C::Timeline,
        &[ENTER],
        A::OpenEntry,
        "open",
        "Open the selected entry whole",
        true,
    ),
    bind(
        C::Timeline,
        &[ESC],
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
        &[ch('D')],
        A::NewDecision,
        "decide",
        "Record a decision (DECIDE on the timeline)",
        false,
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
    bind(C::Global, SCROLL_UP, A::Up, "", "Move up / scroll back", false),
    bind(
        C::Global,
        SCROLL_DOWN,
        A::Down,
        "",
        "Move down / scroll forward",
        false,
    ),
    bind(C::Global, PAGE_UP, A::PageUp, "", "Page up", false),
    bind(C::Global, PAGE_DOWN, A::PageDown, "", "Page down", false),
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
        HELP_KEY,
        A::ToggleHelp,
        "help",
        "Show or hide this help",
        true,
    ),
    // Its keys that are not text (Ctrl-C) quit from every context.
    bind(C::Global, &[ch('q'), ctrl('c')], A::Quit, "quit", "Quit", true),
    bind(C::Composer, &[ENTER], A::Submit, "send", "Submit", true),
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
        &[ESC],
        A::Leave,
        "leave",
        "Leave; the draft is kept for next time",
        true,
    ),
    bind(
        C::Prompt,
        &[ENTER],
        A::Submit,
        "submit",
        "Run the command, or search",
        true,
    ),
    bind(
        C::Prompt,
        &[key(KeyCode::Tab)],
        A::Complete,
        "complete",
        "Complete the command's name (after :); its usage shows below",
        true,
    ),
    bind(C::Prompt, &[ESC], A::Leave, "cancel", "Cancel the line", true),
    bind(
        C::Start,
        &[UP],
        A::SeverityUp,
        "severity",
        "Higher severity (toward P0); on the runbook field, the runbook above",
        true,
    ),
    bind(
        C::Start,
        &[DOWN],
        A::SeverityDown,
        "severity",
        "Lower severity (toward P3); on the runbook field, the runbook below",
        true,
    ),
    bind(
        C::Start,
        &[key(KeyCode::Tab)],
        A::FocusNext,
        "field",
        "Next field (title, detected how long ago, runbook)",
        true,
    ),
    bind(
        C::Start,
        &[key(KeyCode::BackTab)],
        A::FocusPrevious,
        "",
        "Previous field",
        false,
    ),
    bind(
        C::Start,
        // Not Ctrl-D: the title box deletes with it, were it rebound.
        &[ctrl('t')],
        A::ToggleDrill,
        "drill",
        "Declare it as a drill (practice on the real tool; kept out of the metrics)",
        true,
    ),
    bind(
        C::Start,
        &[ENTER],
        A::Submit,
        "declare",
        "Declare it; you become the incident commander",
        true,
    ),
    bind(C::Start, &[ESC], A::Leave, "quit", "Quit without declaring", true),
    bind(
        C::SeverityPicker,
        &[UP, ch('k')],
        A::Up,
        "choose",
        "Higher severity",
        true,
    ),
    bind(
        C::SeverityPicker,
        &[DOWN, ch('j')],
        A::Down,
        "choose",
        "Lower severity",
        true,
    ),
    bind(
        C::SeverityPicker,
        &[ch('0')],
        A::ChooseP0,
        "",
        "Choose by number",
        false,
    ),
    bind(
        C::SeverityPicker,
        &[ch('1')],
        A::ChooseP1,
        "",
        "Choose by number",
        false,
    ),
    bind(
        C::SeverityPicker,
        &[ch('2')],
        A::ChooseP2,
        "",
        "Choose by number",
        false,
    ),
    bind(
        C::SeverityPicker,
        &[ch('3')],
        A::ChooseP3,
        "",
        "Choose by number",
        false,
    ),
    bind(
        C::SeverityPicker,
        &[ENTER],
        A::Submit,
        "then say why",
        "Take it, then say why on the command line",
        true,
    ),
    bind(C::SeverityPicker, CLOSE_KEYS, A::Close, "cancel", "Cancel", true),
    bind(
        C::Replay,
        &[ch(' ')],
        A::ReplayPause,
        "play/pause",
        "Pause, or play on (at the end: from the start)",
        true,
    ),
    bind(
        C::Replay,
        &[key(KeyCode::Right), ch('l')],
        A::ReplayStepForward,
        "step",
        "Step to the next event (and pause)",
        true,
    ),
    bind(
        C::Replay,
        &[key(KeyCode::Left), ch('h')],
        A::ReplayStepBack,
        "step",
        "Step back one event (and pause)",
        true,
    ),
    bind(
        C::Replay,
        &[ch(']')],
        A::ReplayForward,
        "±1m",
        "One minute on",
        true,
    ),
    bind(
        C::Replay,
        &[ch('[')],
        A::ReplayBack,
        "±1m",
        "One minute back",
        true,
    ),
    bind(
        C::Replay,
        &[ch('}')],
        A::ReplayForwardMore,
        "±10m",
        "Ten minutes on",
        true,
    ),
    bind(
        C::Replay,
        &[ch('{')],
        A::ReplayBackMore,
        "±10m",
        "Ten minutes back",
        true,
    ),
    bind(
        C::Replay,
        &[ch('+'), ch('=')],
        A::ReplayFaster,
        "speed",
        "Faster: ×1, ×10, ×60, ×600",
        true,
    ),
    bind(C::Replay, &[ch('-')], A::ReplaySlower, "speed", "Slower", true),
    bind(
        C::Replay,
        &[ch('g'), key(KeyCode::Home)],
        A::ReplayStart,
        "start/end",
        "To the declaration",
        true,
    ),
    bind(
        C::Replay,
        &[ch('G'), key(KeyCode::End)],
        A::ReplayEnd,
        "start/end",
        "To the end (the last event; now, for an incident still open)",
        true,
    ),
    bind(
        C::Replay,
        &[key(KeyCode::Tab)],
        A::FocusNext,
        "pane",
        "Next pane",
        false,
    ),
    bind(
        C::Replay,
        &[key(KeyCode::BackTab)],
        A::FocusPrevious,
        "",
        "Previous pane",
        false,
    ),
    bind(
        C::Replay,
        SCROLL_UP,
        A::Up,
        "",
        "Move up / scroll the timeline back (it follows the clock again at the next event)",
        false,
    ),
    bind(
        C::Replay,
        SCROLL_DOWN,
        A::Down,
        "",
        "Move down / scroll forward",
        false,
    ),
    bind(C::Replay, PAGE_UP, A::PageUp, "", "Page up", false),
    bind(C::Replay, PAGE_DOWN, A::PageDown, "", "Page down", false),
    bind(
        C::Replay,
        &[ENTER],
        A::OpenEntry,
        "open",
        "Open the selected timeline entry whole",
        false,
    ),
    bind(
        C::Replay,
        HELP_KEY,
        A::ToggleHelp,
        "help",
        "Show or hide this help",
        true,
    ),
    bind(C::Replay, &[ch('q'), ctrl('c')], A::Quit, "quit", "Quit", true),
];

/// The help and the metrics view scroll and close alike; only the words
/// for closing differ.
const fn viewer(context: Context, close: &'static str, close_help: &'static str) -> [Binding; 6] {
    [
        bind(context, SCROLL_DOWN, A::Down, "scroll", "Scroll down", true),
        bind(context, SCROLL_UP, A::Up, "scroll", "Scroll up", true),
        bind(context, PAGE_DOWN, A::PageDown, "", "Page down", false),
        bind(context, PAGE_UP, A::PageUp, "", "Page up", false),
        bind(context, HELP_KEY, A::ToggleHelp, close, close_help, true),
        bind(context, CLOSE_KEYS, A::Close, close, close_help, true),
    ]
}

const HELP_VIEWER: [Binding; 6] = viewer(C::Help, "close help", "Close the help");
const METRICS_VIEWER: [Binding; 6] = viewer(C::Metrics, "close", "Close the metrics");
const ENTRY_VIEWER: [Binding; 6] = viewer(C::Entry, "close", "Close the entry");
/// The entry viewer also searches within the entry (a command's output).
const ENTRY_SEARCH: Binding = bind(
    C::Entry,
    &[ch('/')],
    A::Search,
    "search",
    "Search within the entry (Enter again: the next match)",
    true,
);

/// Keys that share one label, shown together (`j/k scroll`, `0/1/2/3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The key names, joined with `/`.
    pub keys: String,
    pub what: Cow<'static, str>,
    /// Help and quit: kept when the footer runs out of room.
    pub essential: bool,
}

/// Gathers `(key names, label, essential)` rows with the same label into one
/// hint, in the order the labels first appear.
fn gather(rows: impl Iterator<Item = (Vec<String>, Cow<'static, str>, bool)>) -> Vec<Hint> {
    let mut hints: Vec<Hint> = Vec::new();
    for (keys, what, essential) in rows {
        match hints.iter_mut().find(|h| h.what == what) {
            Some(hint) => {
                for key in keys {
                    hint.keys.push('/');
                    hint.keys.push_str(&key);
                }
                hint.essential |= essential;
            }
            None => hints.push(Hint {
                keys: keys.join("/"),
                what,
                essential,
            }),
        }
    }
    hints
}

/// The keymap in force: the defaults with the config's overrides.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: KEYMAP
                .iter()
                .chain(&HELP_VIEWER)
                .chain(&METRICS_VIEWER)
                .chain(&ENTRY_VIEWER)
                .chain([&ENTRY_SEARCH])
                .cloned()
                .collect(),
        }
    }
}

impl Keymap {
    /// Applies overrides `action name → keys` (`new_note = ["n", "a"]`): the
    /// keys replace that action's keys wherever it is bound. Unknown actions
    /// or keys, a key bound to two actions that would meet in one context,
    /// and a character where the user types text are errors naming them.
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
                let mut known: Vec<&str> = Vec::new();
                for name in Keymap::default().bindings.iter().map(|b| b.action.name()) {
                    if !known.contains(&name) {
                        known.push(name);
                    }
                }
                return Err(format!(
                    "keys.{name}: no such action; actions: {}",
                    known.join(", ")
                ));
            }
        }
        keymap.check()?;
        Ok(keymap)
    }

    /// Refuses a key that two actions would both claim, and a character
    /// bound where it is typed as text.
    fn check(&self) -> Result<(), String> {
        for binding in self.bindings.iter().filter(|b| b.context.takes_text()) {
            if let Some(k) = binding.keys.iter().find(|k| k.is_text()) {
                return Err(format!(
                    "keys.{}: {} is typed as text ({}); bind a key like ctrl-x or esc",
                    binding.action.name(),
                    k.name(),
                    binding.context.title()
                ));
            }
        }
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                let meet = |k: &Key| {
                    a.context == b.context
                        || (a.context == Context::Global && b.context.has_global_keys())
                        || (b.context == Context::Global && a.context.has_global_keys())
                        || (!k.is_text() && (a.action == Action::Quit || b.action == Action::Quit))
                };
                if a.action != b.action
                    && let Some(k) = a.keys.iter().find(|k| b.keys.contains(k) && meet(k))
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
        Ok(())
    }

    /// Every binding, in footer and help order.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Whether `event` is a quit key that works everywhere: one that cannot
    /// be text, so it is never typed into a note.
    fn quits_anywhere(&self, event: &KeyEvent) -> bool {
        self.bindings
            .iter()
            .filter(|b| b.action == Action::Quit)
            .flat_map(|b| b.keys.iter())
            .any(|k| !k.is_text() && k.matches(event))
    }

    /// The action bound to `event` in `context`: the context's own bindings,
    /// in the panes the global ones after the pane's; quit keys that are
    /// not text act everywhere. None: not a command here (in a text context,
    /// the key is typed).
    pub fn action_for(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        if self.quits_anywhere(event) {
            return Some(Action::Quit);
        }
        let find = |wanted: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == wanted && b.keys.iter().any(|k| k.matches(event)))
                .map(|b| b.action)
        };
        find(context).or_else(|| {
            (context != Context::Global && context.has_global_keys())
                .then(|| find(Context::Global))
                .flatten()
        })
    }

    /// The keys that do `action` in `context`, the context's own binding
    /// first (the picker names ↑ before k): asked of [`Keymap::action_for`],
    /// so a hint never names a key that does something else there.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<Key> {
        let of_action = self.bindings.iter().filter(|b| b.action == action);
        let (own, elsewhere): (Vec<&Binding>, Vec<&Binding>) = of_action.partition(|b| b.context == context);
        let mut keys: Vec<Key> = Vec::new();
        for k in own.into_iter().chain(elsewhere).flat_map(|b| b.keys.iter()) {
            if !keys.contains(k) && self.action_for(context, &k.event()) == Some(action) {
                keys.push(*k);
            }
        }
        keys
    }

    /// The name of the first key that does `action` in `context`, for hints
    /// written into sentences; empty when no key does.
    pub fn key_name(&self, context: Context, action: Action) -> String {
        self.keys_for(context, action)
            .first()
            .map(Key::name)
            .unwrap_or_default()
    }

    /// What the help says a binding does; for quit, which keys quit from
    /// anywhere (as the keymap in force has them).
    pub fn help_text(&self, binding: &Binding) -> Cow<'static, str> {
        if binding.action != Action::Quit {
            return Cow::Borrowed(binding.help);
        }
        let anywhere: Vec<String> = binding
            .keys
            .iter()
            .filter(|k| !k.is_text())
            .map(Key::name)
            .collect();
        if anywhere.is_empty() {
            Cow::Borrowed(binding.help)
        } else {
            Cow::Owned(format!(
                "{} ({} quits from anywhere)",
                binding.help,
                anywhere.join(" or ")
            ))
        }
    }

    /// The footer's hints in `context`: the pane's own, then global ones
    /// whose hint the pane does not already give; each with its first key.
    pub fn footer_hints(&self, context: Context) -> Vec<Hint> {
        let own = self
            .bindings
            .iter()
            .filter(move |b| b.context == context && b.in_footer);
        let global = self.bindings.iter().filter(move |b| {
            context != Context::Global
                && context.has_global_keys()
                && b.context == Context::Global
                && b.in_footer
                && !self
                    .bindings
                    .iter()
                    .any(|p| p.context == context && p.in_footer && p.hint == b.hint)
        });
        gather(own.chain(global).map(|b| {
            let essential = matches!(b.action, Action::ToggleHelp | Action::Quit);
            let first = b.keys.first().map(Key::name).into_iter().collect();
            (first, Cow::Borrowed(b.hint), essential)
        }))
    }

    /// The footer label of `action` in `context` (`note` for the new-note
    /// key), so the footer can say more about that one hint.
    pub fn hint_label(&self, context: Context, action: Action) -> Option<&'static str> {
        self.bindings
            .iter()
            .find(|b| b.context == context && b.action == action)
            .map(|b| b.hint)
    }

    /// The help screen's rows for `context`'s own bindings: every key, rows
    /// with the same text on one line.
    pub fn help_rows(&self, context: Context) -> Vec<Hint> {
        gather(
            self.bindings
                .iter()
                .filter(|b| b.context == context)
                .map(|b| (b.keys.iter().map(Key::name).collect(), self.help_text(b), false)),
        )
    }
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
        let defaults = Keymap::default();
        let bindings = defaults.bindings();
        for (i, a) in bindings.iter().enumerate() {
            for b in &bindings[i + 1..] {
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
            .footer_hints(Context::Timeline)
            .into_iter()
            .map(|h| h.what)
            .collect();
        assert_eq!(hints[0], "search");
        assert_eq!(hints.iter().filter(|h| **h == "search").count(), 1);
        assert!(hints.iter().any(|h| h == "quit"));
    }

    fn footer(keymap: &Keymap, context: Context) -> String {
        keymap
            .footer_hints(context)
            .iter()
            .map(|h| format!("{} {}", h.keys, h.what))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    #[test]
    fn every_context_has_its_footer_from_the_keymap() {
        let keymap = Keymap::default();
        for (context, expected) in [
            (
                Context::Checklist,
                "Space tick · x n/a · n note · u update · s severity · : cmd · Tab pane · ? help · q quit",
            ),
            (Context::Composer, "Enter send · Ctrl-J newline · Esc leave"),
            (Context::Prompt, "Enter submit · Tab complete · Esc cancel"),
            (
                Context::Start,
                "↑/↓ severity · Tab field · Ctrl-T drill · Enter declare · Esc quit",
            ),
            (
                Context::SeverityPicker,
                "↑/↓ choose · Enter then say why · Esc cancel",
            ),
            (Context::Help, "j/k scroll · ?/Esc close help"),
            (Context::Metrics, "j/k scroll · ?/Esc close"),
            (
                Context::Replay,
                "Space play/pause · →/← step · ]/[ ±1m · }/{ ±10m · +/- speed · g/G start/end · ? help · q quit",
            ),
        ] {
            assert_eq!(footer(&keymap, context), expected, "{context:?}");
        }
    }

    fn overridden(pairs: &[(&str, &[&str])]) -> Result<Keymap, String> {
        let overrides = pairs
            .iter()
            .map(|(name, keys)| (name.to_string(), keys.iter().map(|k| k.to_string()).collect()))
            .collect();
        Keymap::with_overrides(&overrides)
    }

    #[test]
    fn a_rebound_action_changes_in_every_context_it_is_bound_in() {
        let keymap = overridden(&[("down", &["ctrl-n"]), ("quit", &["Q", "ctrl-x"])]).unwrap();
        assert_eq!(
            footer(&keymap, Context::Help),
            "Ctrl-N/k scroll · ?/Esc close help"
        );
        assert_eq!(
            footer(&keymap, Context::SeverityPicker),
            "↑/Ctrl-N choose · Enter then say why · Esc cancel"
        );
        assert!(footer(&keymap, Context::Timeline).ends_with("? help · Q quit"));
        let ctrl_n = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        for context in [
            Context::Checklist,
            Context::SeverityPicker,
            Context::Help,
            Context::Metrics,
        ] {
            assert_eq!(
                keymap.action_for(context, &ctrl_n),
                Some(Action::Down),
                "{context:?}"
            );
            assert_eq!(keymap.action_for(context, &j), None, "{context:?}");
        }
        let quit_row = keymap
            .bindings()
            .iter()
            .find(|b| b.action == Action::Quit)
            .unwrap();
        assert_eq!(keymap.help_text(quit_row), "Quit (Ctrl-X quits from anywhere)");
    }

    #[test]
    fn quit_keys_that_are_not_text_quit_from_every_context() {
        let keymap = Keymap::default();
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        for context in Context::ALL {
            assert_eq!(
                keymap.action_for(context, &ctrl_c),
                Some(Action::Quit),
                "{context:?}"
            );
        }
        assert_eq!(
            keymap.action_for(Context::Start, &q),
            None,
            "q is part of a title"
        );
        assert_eq!(keymap.action_for(Context::Help, &q), Some(Action::Close));
        let names = |context| -> Vec<String> {
            keymap
                .keys_for(context, Action::Quit)
                .iter()
                .map(Key::name)
                .collect()
        };
        assert_eq!(names(Context::Timeline), ["q", "Ctrl-C"]);
        assert_eq!(names(Context::Composer), ["Ctrl-C"]);
        assert_eq!(names(Context::Help), ["Ctrl-C"]);
        let up: Vec<String> = keymap
            .keys_for(Context::SeverityPicker, Action::Up)
            .iter()
            .map(Key::name)
            .collect();
        assert_eq!(up, ["↑", "k"], "the picker's own order");
        let quit_row = keymap
            .bindings()
            .iter()
            .find(|b| b.action == Action::Quit)
            .unwrap();
        assert_eq!(keymap.help_text(quit_row), "Quit (Ctrl-C quits from anywhere)");
        let text_only = overridden(&[("quit", &["Q"])]).unwrap();
        assert!(text_only.keys_for(Context::Composer, Action::Quit).is_empty());
    }

    #[test]
    fn clashes_across_contexts_and_characters_where_text_is_typed_are_refused() {
        assert_eq!(
            overridden(&[("quit", &["q", "esc"])]).unwrap_err(),
            "keys: Esc is bound to both clear_search and quit"
        );
        assert_eq!(
            overridden(&[("submit", &["s"])]).unwrap_err(),
            "keys.submit: s is typed as text (Writing a note or status update); bind a key like ctrl-x or esc"
        );
        assert_eq!(
            overridden(&[("close", &["ctrl-c"])]).unwrap_err(),
            "keys: Ctrl-C is bound to both quit and close"
        );
        // The picker and the viewers stand alone: q there is theirs.
        assert!(overridden(&[("help", &["q"]), ("quit", &["Q"])]).is_err());
        assert!(overridden(&[("close", &["x"])]).is_ok());
        assert!(
            overridden(&[("launch", &["l"])])
                .unwrap_err()
                .starts_with("keys.launch: no such action; actions: tick, not_applicable, search,")
        );
    }
}
