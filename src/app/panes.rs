//! Keys in the checklist and timeline panes.

use super::keymap::Action;
use super::{App, Input, Pane, Request};
use crate::command::Command;
use crate::domain::{ChecklistItem, EntryKind, ItemState};

impl App {
    pub(super) fn act(&mut self, action: Action) -> Vec<Request> {
        let items = self.record.as_ref().map_or(0, |r| r.checklist.len());
        let entries = self.visible_count();
        let page = 10;
        match action {
            Action::Quit => self.should_quit = true,
            Action::ToggleHelp => {
                self.help_scroll = 0;
                self.input = Input::Help;
            }
            Action::FocusNext | Action::FocusPrevious => {
                self.focus = match self.focus {
                    Pane::Checklist => Pane::Timeline,
                    Pane::Timeline => Pane::Checklist,
                }
            }
            Action::NewNote => self.open_composer(EntryKind::Note),
            Action::NewStatusUpdate => self.open_composer(EntryKind::StatusUpdate),
            Action::NewDecision => self.open_composer(EntryKind::Decision),
            Action::Pin => return self.pin_selected(None),
            Action::OpenEntry => return self.open_selected(),
            Action::ChangeSeverity => {
                if self.writable() {
                    let current = self.record.as_ref().map_or(2, |r| r.incident.severity as usize);
                    self.input = Input::SeverityPicker(current);
                }
            }
            Action::CommandLine => self.input = Input::CommandLine,
            Action::Search => {
                self.focus = Pane::Timeline;
                self.input = Input::Search;
            }
            Action::ClearSearch => {
                if self.search.take().is_some() {
                    self.say("Search cleared");
                }
            }
            Action::ToggleItem | Action::MarkNotApplicable => {
                let Some(item) = self
                    .record
                    .as_ref()
                    .and_then(|r| r.checklist.get(self.checklist_selected))
                else {
                    return Vec::new();
                };
                let state = match (action, item.state) {
                    (Action::MarkNotApplicable, ItemState::NotApplicable) => ItemState::Open,
                    (Action::MarkNotApplicable, _) => ItemState::NotApplicable,
                    (_, ItemState::Open) => ItemState::Done,
                    _ => ItemState::Open,
                };
                let (key, version) = (item.key.clone(), item.version);
                let order = Command::SetItem {
                    item: key,
                    state,
                    at: None,
                };
                return self.order(order, Some(version));
            }
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom => {
                let step: isize = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -page,
                    Action::PageDown => page,
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                match self.focus {
                    Pane::Checklist => {
                        self.checklist_selected = clamp_step(self.checklist_selected, step, items);
                    }
                    Pane::Timeline if matches!(action, Action::Top | Action::Bottom) => {
                        return self.timeline_end(action);
                    }
                    // In the timeline, "up" selects an older entry: more hidden below.
                    Pane::Timeline => {
                        self.timeline_offset = clamp_step(self.timeline_offset, -step, entries);
                        let mut requests = self.search_older_if_near();
                        requests.extend(self.page_timeline_if_near());
                        return requests;
                    }
                }
            }
            // Bound only where text is typed, or in the picker and viewers.
            Action::Submit
            | Action::InsertNewline
            | Action::Leave
            | Action::Complete
            | Action::SeverityUp
            | Action::SeverityDown
            | Action::ToggleDrill
            | Action::ChooseP0
            | Action::ChooseP1
            | Action::ChooseP2
            | Action::ChooseP3
            | Action::Close => {}
            // Bound only in a replay (src/app/replay.rs).
            Action::ReplayPause
            | Action::ReplayStepForward
            | Action::ReplayStepBack
            | Action::ReplayForward
            | Action::ReplayBack
            | Action::ReplayForwardMore
            | Action::ReplayBackMore
            | Action::ReplayFaster
            | Action::ReplaySlower
            | Action::ReplayStart
            | Action::ReplayEnd => {}
        }
        Vec::new()
    }
}

impl App {
    /// Where the checklist's selection starts: the current phase's first
    /// open item (its `◀ NOW` heading on screen), else its first item, else
    /// the first open item anywhere.
    pub(super) fn opening_item(&self) -> usize {
        let Some(record) = &self.record else { return 0 };
        let items = &record.checklist;
        let phase = self.phase_clock().map(|p| p.index + 1);
        let in_phase = |i: &ChecklistItem| phase.is_some() && i.phase_number() == phase;
        items
            .iter()
            .position(|i| in_phase(i) && !i.state.is_closed())
            .or_else(|| items.iter().position(in_phase))
            .or_else(|| items.iter().position(|i| !i.state.is_closed()))
            .unwrap_or(0)
    }
}

fn clamp_step(current: usize, step: isize, len: usize) -> usize {
    let max = len.saturating_sub(1) as isize;
    (current as isize).saturating_add(step).clamp(0, max.max(0)) as usize
}
