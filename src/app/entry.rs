//! The timeline's selected entry: opened whole in a viewer, pinned or
//! unpinned through the core (recorded, so every console sees it).

use super::{App, Input, Request};
use crate::command::Command;
use crate::domain::TimelineEntry;

impl App {
    /// The entry the timeline's cursor is on: the newest one shown while
    /// following, else the one scrolled back to.
    pub fn selected_entry(&self) -> Option<&TimelineEntry> {
        let entries = self.visible_timeline();
        let index = entries.len().checked_sub(1 + self.timeline_offset)?;
        entries.get(index).copied()
    }

    /// Opens the selected entry whole.
    pub(super) fn open_selected(&mut self) {
        match self.selected_entry().map(|e| e.id) {
            Some(id) => {
                self.help_scroll = 0;
                self.input = Input::Entry(id);
            }
            None => self.complain("No entry to open"),
        }
    }

    /// Pins the selected entry (`Some(true)`), unpins it (`Some(false)`),
    /// or turns it over (`None`, the pin key).
    pub(super) fn pin_selected(&mut self, pinned: Option<bool>) -> Vec<Request> {
        let Some(entry) = self.selected_entry() else {
            self.complain("No entry selected: Tab to the timeline and choose one with j/k");
            return Vec::new();
        };
        let order = Command::Pin {
            entry: entry.id,
            pinned: pinned.unwrap_or(!entry.pinned),
        };
        self.order(order, None)
    }

    /// The entry open in the viewer, if it is still there.
    pub fn open_entry(&self) -> Option<&TimelineEntry> {
        let Input::Entry(id) = self.input else {
            return None;
        };
        self.record.as_ref()?.timeline.iter().find(|e| e.id == id)
    }
}
