//! The timeline's selected entry: opened whole in a viewer, pinned or
//! unpinned through the core (recorded, so every console sees it).

use super::{App, Input, Request};
use crate::command::Command;
use crate::domain::{EntryKind, TimelineEntry};

impl App {
    /// The entry the timeline's cursor is on: the newest one shown while
    /// following, else the one scrolled back to.
    pub fn selected_entry(&self) -> Option<&TimelineEntry> {
        let entries = self.visible_timeline();
        let index = entries.len().checked_sub(1 + self.timeline_offset)?;
        entries.get(index).copied()
    }

    /// Opens the selected entry whole (an evidence entry's output is
    /// asked of the store).
    pub(super) fn open_selected(&mut self) -> Vec<Request> {
        match self.selected_entry().map(|e| (e.id, e.kind)) {
            Some((id, kind)) => {
                self.help_scroll = 0;
                self.input = Input::Entry(id);
                self.evidence = None;
                if kind == EntryKind::Evidence {
                    return self.load_evidence(id);
                }
            }
            None => self.complain("No entry to open: none is shown"),
        }
        Vec::new()
    }

    /// Pins the selected entry (`Some(true)`), unpins it (`Some(false)`),
    /// or turns it over (`None`, the pin key).
    pub(super) fn pin_selected(&mut self, pinned: Option<bool>) -> Vec<Request> {
        let Some(entry) = self.selected_entry() else {
            self.complain("No entry to pin: none is shown");
            return Vec::new();
        };
        let order = Command::Pin {
            entry: entry.id,
            pinned: pinned.unwrap_or(!entry.pinned),
        };
        self.order(order, None)
    }

    /// The viewer scrolls by the entry's own lines (a wrapped paragraph is
    /// one step), so the last one can be scrolled to without knowing the
    /// screen: it stops there, at the top.
    pub(super) fn keep_entry_scroll_in_range(&mut self) {
        if let Some(entry) = self.open_entry() {
            let last = entry_viewer_lines(entry) + self.evidence_lines().len() - 1;
            self.help_scroll = self.help_scroll.min(last.try_into().unwrap_or(u16::MAX));
        }
    }

    /// The entry open in the viewer, if it is still held: in the timeline's
    /// window, the search's matches or the pinned entries.
    pub fn open_entry(&self) -> Option<&TimelineEntry> {
        let (Input::Entry(id) | Input::EntrySearch(id)) = self.input else {
            return None;
        };
        let record = self.record.as_ref()?;
        let searched = self.search.iter().flat_map(|s| &s.entries);
        record
            .timeline
            .iter()
            .chain(searched)
            .chain(&record.facts.pinned)
            .find(|e| e.id == id)
    }
}

/// The lines the entry viewer scrolls through: who and when, a blank line,
/// then each line of the text (wrapped as one).
pub fn entry_viewer_lines(entry: &TimelineEntry) -> usize {
    2 + entry.text.split('\n').count()
}
