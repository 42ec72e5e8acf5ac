//! The `/` search: asked of the store a page at a time (its index, not the
//! timeline held here), newest matches first; older pages come as the
//! selection moves up to them, newer matches as new entries arrive.

use super::keymap::{Action, Context};
use super::protocol::SEARCH_PAGE;
use super::{App, Request};
use crate::domain::TimelineEntry;
use crate::store::{EntryKey, SearchPage, SearchQuery};

/// Ask for the next older page when the selection comes this close to
/// the oldest match loaded, so it is there before the selection is.
const LOAD_AHEAD: usize = 10;

/// A search of the attached incident's timeline and what it found so far.
#[derive(Debug, Clone)]
pub struct Search {
    /// As typed, for the pane's title.
    pub typed: String,
    query: SearchQuery,
    /// The matches loaded, in the timeline's order (oldest first).
    pub entries: Vec<TimelineEntry>,
    /// How many entries match in all, as of the last page; None until the
    /// first page came.
    pub total: Option<u64>,
    /// More entries match than `total` says (a capped count).
    pub uncounted: bool,
    /// Older matches remain beyond the oldest loaded.
    more: bool,
    /// A page was asked for and has not come yet.
    waiting: bool,
    /// New entries arrived while waiting: ask for the newest page after.
    newer_wanted: bool,
}

fn in_order(a: &TimelineEntry, b: &TimelineEntry) -> bool {
    (a.occurred_at, a.id) <= (b.occurred_at, b.id)
}

impl App {
    /// Starts a search for what was typed on the `/` line: the request for
    /// its first page, or a word on the message line when there is nothing
    /// to ask.
    pub fn search_for(&mut self, typed: &str) -> Vec<Request> {
        self.search = None;
        self.timeline_offset = 0;
        let typed = typed.trim();
        if typed.is_empty() {
            return Vec::new();
        }
        let query = match SearchQuery::parse(typed) {
            Ok(query) => query,
            Err(refusal) => {
                self.complain(refusal.to_string());
                return Vec::new();
            }
        };
        if query.is_empty() {
            self.complain(format!(
                "Nothing to search for in {typed:?}: type words (letters and digits)"
            ));
            return Vec::new();
        }
        self.search = Some(Search {
            typed: typed.to_string(),
            query: query.clone(),
            entries: Vec::new(),
            total: None,
            uncounted: false,
            more: false,
            waiting: true,
            newer_wanted: false,
        });
        vec![Request::Search { query, before: None }]
    }

    /// Takes a page of results: older ones go before those loaded, the
    /// newest page adds what is new since (or, if more came than a page
    /// holds, starts over from it). A page of an earlier search is dropped.
    pub(super) fn hear_search(
        &mut self,
        query: SearchQuery,
        before: Option<EntryKey>,
        page: SearchPage,
    ) -> Vec<Request> {
        let clear = self.key_name(Context::Timeline, Action::ClearSearch);
        let Some(search) = self.search.as_mut().filter(|s| s.query == query) else {
            return Vec::new();
        };
        search.waiting = false;
        let first = search.total.is_none();
        search.total = Some(page.total_matches);
        search.uncounted = page.more;
        let full = page.entries.len() == SEARCH_PAGE;
        let mut page = page.entries;
        page.reverse();
        let known: std::collections::HashSet<i64> = search.entries.iter().map(|e| e.id).collect();
        if before.is_some() {
            search.more = full;
            page.retain(|e| !known.contains(&e.id));
            page.append(&mut search.entries);
            search.entries = page;
        } else {
            let gap = full
                && search
                    .entries
                    .last()
                    .zip(page.first())
                    .is_some_and(|(newest, oldest)| !in_order(oldest, newest));
            if first || gap {
                search.more = full;
                search.entries = page;
                self.timeline_offset = 0;
            } else {
                let mut added = 0;
                for entry in page.into_iter().filter(|e| !known.contains(&e.id)) {
                    let at = search.entries.partition_point(|e| in_order(e, &entry));
                    search.entries.insert(at, entry);
                    added += 1;
                }
                if self.timeline_offset > 0 {
                    // Scrolled back: stay on the same entries.
                    self.timeline_offset += added;
                }
            }
        }
        if first {
            let total = search.total.unwrap_or_default();
            let more = if search.uncounted { "more than " } else { "" };
            let typed = search.typed.clone();
            self.say(format!(
                "{more}{total} entries match {typed:?}; {clear} in the timeline clears"
            ));
        }
        if self
            .search
            .as_mut()
            .is_some_and(|s| std::mem::take(&mut s.newer_wanted))
        {
            return self.search_newer();
        }
        Vec::new()
    }

    /// The next older page, when the selection nears the oldest match
    /// loaded and more remain.
    pub(super) fn search_older_if_near(&mut self) -> Vec<Request> {
        let offset = self.timeline_offset;
        let Some(search) = self.search.as_mut() else {
            return Vec::new();
        };
        let Some(oldest) = search.entries.first() else {
            return Vec::new();
        };
        if !search.more || search.waiting || offset + LOAD_AHEAD < search.entries.len() {
            return Vec::new();
        }
        search.waiting = true;
        vec![Request::Search {
            query: search.query.clone(),
            before: Some(EntryKey::of(oldest)),
        }]
    }

    /// After new entries arrived: the newest page again, for new matches.
    pub(super) fn search_newer(&mut self) -> Vec<Request> {
        let Some(search) = self.search.as_mut() else {
            return Vec::new();
        };
        if search.waiting {
            search.newer_wanted = true;
            return Vec::new();
        }
        search.waiting = true;
        vec![Request::Search {
            query: search.query.clone(),
            before: None,
        }]
    }
}
