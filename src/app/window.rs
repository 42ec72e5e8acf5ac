//! The timeline window: the console holds some consecutive entries of the
//! attached incident's timeline (`record.timeline`, at most
//! [`WINDOW_MOST`]), never the whole of it, so its cost does not grow with
//! the incident's history. Older and newer pages are asked of the store
//! (by key, on its index) as the selection nears an edge; new entries from
//! other consoles join the window where they belong, or are only counted
//! when they fall beyond it. What the panes say about the whole timeline
//! (the count, pinned entries, the latest status update) comes with every
//! read as `record.facts`.

use super::keymap::Action;
use super::{App, Request};
use crate::domain::TimelineEntry;
use crate::domain::event::EventData;
use crate::store::{EntryKey, TimelineWindow, WindowAnchor};

/// How many entries one read of the timeline brings: the first screen and
/// each page after it.
pub const WINDOW_PAGE: usize = 200;
/// The most entries the console holds; beyond it, those farthest from the
/// selection are let go (read again if scrolled back to).
const WINDOW_MOST: usize = 3 * WINDOW_PAGE;
/// Ask for the next page when the selection comes this close to an edge
/// of the window, so it is there before the selection is.
const LOAD_AHEAD: usize = 50;

impl App {
    /// After the selection moved: the page beyond the nearer edge, when the
    /// selection is close to it and more lies that way.
    pub(super) fn page_timeline_if_near(&mut self) -> Vec<Request> {
        if self.search.is_some() || self.timeline_page_asked.is_some() {
            return Vec::new();
        }
        let offset = self.timeline_offset;
        let Some(record) = &self.record else {
            return Vec::new();
        };
        let (Some(oldest), Some(newest)) = (record.timeline.first(), record.timeline.last()) else {
            return Vec::new();
        };
        let anchor = if record.has_older && offset + LOAD_AHEAD >= record.timeline.len() {
            WindowAnchor::Before(EntryKey::of(oldest))
        } else if record.has_newer && offset < LOAD_AHEAD {
            WindowAnchor::After(EntryKey::of(newest))
        } else {
            return Vec::new();
        };
        self.ask_for_page(anchor)
    }

    /// The top or the bottom of the timeline: within the window when it
    /// holds that end, else that end read afresh.
    pub(super) fn timeline_end(&mut self, action: Action) -> Vec<Request> {
        let beyond_window = self.search.is_none()
            && self.record.as_ref().is_some_and(|r| match action {
                Action::Top => r.has_older,
                _ => r.has_newer,
            });
        match action {
            Action::Top if beyond_window => self.ask_for_page(WindowAnchor::Oldest),
            _ if beyond_window => self.ask_for_page(WindowAnchor::Newest),
            Action::Top => {
                self.timeline_offset = self.visible_count().saturating_sub(1);
                self.search_older_if_near()
            }
            _ => {
                self.timeline_offset = 0;
                Vec::new()
            }
        }
    }

    fn ask_for_page(&mut self, anchor: WindowAnchor) -> Vec<Request> {
        let Some(record) = &self.record else {
            return Vec::new();
        };
        self.timeline_page_asked = Some(anchor);
        vec![Request::TimelinePage {
            incident: record.incident.id,
            anchor,
        }]
    }

    /// Takes a page the store read: older entries go before the window,
    /// newer ones after it, an end replaces it. A page asked for a window
    /// that has changed since (another incident, an end read afresh) is
    /// dropped.
    pub(super) fn hear_timeline_page(
        &mut self,
        incident: i64,
        anchor: WindowAnchor,
        page: Result<TimelineWindow, String>,
    ) -> Vec<Request> {
        if self.timeline_page_asked != Some(anchor) {
            return Vec::new();
        }
        self.timeline_page_asked = None;
        let page = match page {
            Ok(page) => page,
            Err(message) => {
                self.complain(format!("Cannot read more of the timeline: {message}"));
                return Vec::new();
            }
        };
        let Some(record) = self.record.as_mut().filter(|r| r.incident.id == incident) else {
            return Vec::new();
        };
        let first = record.timeline.first().map(EntryKey::of);
        let last = record.timeline.last().map(EntryKey::of);
        match anchor {
            WindowAnchor::Newest | WindowAnchor::Oldest => {
                record.timeline = page.entries;
                record.has_older = page.has_older;
                record.has_newer = page.has_newer;
                self.timeline_offset = match anchor {
                    WindowAnchor::Oldest => record.timeline.len().saturating_sub(1),
                    _ => 0,
                };
            }
            WindowAnchor::Before(key) if first == Some(key) => {
                let mut entries = page.entries;
                entries.append(&mut record.timeline);
                record.timeline = entries;
                record.has_older = page.has_older;
            }
            WindowAnchor::After(key) if last == Some(key) => {
                self.timeline_offset += page.entries.len();
                record.timeline.extend(page.entries);
                record.has_newer = page.has_newer;
            }
            // The window's edge moved since the page was asked for.
            WindowAnchor::Before(_) | WindowAnchor::After(_) => {}
        }
        self.keep_window_bounded();
        // The selection may still be near an edge (a short page, a jump).
        self.page_timeline_if_near()
    }

    /// Lets go of the entries farthest from the selection while the window
    /// holds more than [`WINDOW_MOST`]; the selection stays on its entry.
    fn keep_window_bounded(&mut self) {
        let offset = self.timeline_offset;
        let Some(record) = self.record.as_mut() else {
            return;
        };
        let len = record.timeline.len();
        let excess = len.saturating_sub(WINDOW_MOST);
        if excess == 0 {
            return;
        }
        let selected = len - 1 - offset.min(len - 1);
        if selected >= offset {
            let older = excess.min(selected);
            record.timeline.drain(..older);
            record.has_older = true;
        } else {
            let newer = excess.min(offset);
            record.timeline.truncate(len - newer);
            record.has_newer = true;
            self.timeline_offset -= newer;
        }
        record.timeline.shrink_to(WINDOW_MOST + WINDOW_PAGE);
    }

    /// Adds entries other consoles (or this one) wrote: each joins the
    /// window where it belongs in time, unless it lies beyond an edge with
    /// more past it (it is counted in the facts, and read when scrolled
    /// to). A new pin event re-pins its entry. A selection scrolled back
    /// stays on its entry; one at the newest follows. Returns whether any
    /// entry joined.
    pub(super) fn take_new_entries(&mut self, new: Vec<TimelineEntry>) -> bool {
        let Some(record) = self.record.as_mut() else {
            return false;
        };
        let mut pins: Vec<(i64, i64, bool)> = new
            .iter()
            .filter_map(|e| match e.data.as_deref() {
                Some(&EventData::Pin { entry, pinned }) => Some((e.id, entry, pinned)),
                _ => None,
            })
            .collect();
        // The log's order, not the time order: the latest pin wins.
        pins.sort_unstable();
        for (_, entry, pinned) in pins {
            if let Some(pinned_entry) = record.timeline.iter_mut().find(|e| e.id == entry) {
                pinned_entry.pinned = pinned;
            }
        }
        let oldest = record.timeline.first().map(EntryKey::of);
        let newest = record.timeline.last().map(EntryKey::of);
        let beyond = |key: EntryKey| {
            (record.has_older && oldest.is_some_and(|o| key < o))
                || (record.has_newer && newest.is_some_and(|n| key > n))
        };
        let known: std::collections::HashSet<i64> = record.timeline.iter().map(|e| e.id).collect();
        let mut joined = false;
        for entry in new {
            let key = EntryKey::of(&entry);
            if known.contains(&entry.id) || beyond(key) {
                continue;
            }
            let at = record.timeline.partition_point(|e| EntryKey::of(e) <= key);
            let selected = record.timeline.len().checked_sub(1 + self.timeline_offset);
            if self.timeline_offset > 0 && selected.is_some_and(|s| at > s) {
                self.timeline_offset += 1;
            }
            record.timeline.insert(at, entry);
            joined = true;
        }
        self.keep_window_bounded();
        joined
    }
}
