//! A replay (`warroom replay`): the console, read-only, showing an incident
//! as it stood at the replay's clock. The clock runs at a speed (×1 … ×600)
//! from the wall clock's ticks, and its keys pause, step from event to
//! event, seek and change speed. The record the panes draw is the domain's
//! fold ([`crate::domain::replay`]) at the clock, replaced whenever an
//! event takes effect or is undone; the clocks are drawn with `now` set to
//! the replay's clock. Nothing here reads the database: the events were
//! read once, and the timeline's pages are answered from them.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::keymap::{Action, Context};
use super::{App, Event, Pane, Request, WINDOW_PAGE};
use crate::domain::TimelineEntry;
use crate::domain::replay::{Replay, Standing};
use crate::store::{EntryKey, IncidentRecord, TimelineFacts, TimelineWindow, WindowAnchor};

/// The speeds the speed keys step through.
pub const SPEEDS: [u32; 4] = [1, 10, 60, 600];
/// The speed a replay plays at unless told: an hour in a minute.
pub const DEFAULT_SPEED: u32 = 60;
/// The fastest speed `--speed` accepts (an hour a second).
pub const MAX_SPEED: u32 = 3600;

/// What is said on a write key, in a replay.
pub const READ_ONLY: &str = "replay: read-only";

/// A replay's clock and the incident as it stood at it.
#[derive(Debug, Clone)]
pub struct Player {
    replay: Arc<Replay>,
    /// The incident as it stood at `at`.
    standing: Standing,
    /// Its runbook's text, for the record the panes read.
    runbook_text: String,
    /// The replay's clock.
    pub at: DateTime<Utc>,
    /// Replayed seconds per real second.
    pub speed: u32,
    pub paused: bool,
    /// The wall clock at the last tick: playing moves `at` on by the time
    /// passed since, times the speed. Messages fade by it too.
    pub wall: DateTime<Utc>,
}

impl Player {
    /// How many events of the log have taken effect.
    pub fn applied(&self) -> usize {
        self.standing.applied
    }

    /// How many events the log holds.
    pub fn events(&self) -> usize {
        self.replay.len()
    }

    /// Where the replay starts and ends.
    pub fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.replay.start(), self.replay.end())
    }

    /// Moves the clock to `at` (kept within the replay), with the events
    /// taken effect by then.
    fn seek(&mut self, at: DateTime<Utc>) {
        let (start, end) = self.span();
        self.at = at.clamp(start, end);
        // The declaration always stands, even when recorded a moment late.
        let applied = self.replay.applied_at(self.at).max(1);
        self.replay.advance(&mut self.standing, applied);
    }

    /// Exactly `applied` events taken effect, the clock at the last one's
    /// moment (or at the start).
    fn step_to(&mut self, applied: usize) {
        let at = applied
            .checked_sub(1)
            .and_then(|last| self.replay.moment(last))
            .unwrap_or(self.replay.start());
        self.at = at.max(self.replay.start());
        self.replay.advance(&mut self.standing, applied);
    }

    /// Moves the clock by `delta`; says so when it stops at an end.
    fn seek_by(&mut self, delta: TimeDelta) -> Option<String> {
        let (start, end) = self.span();
        let wanted = self.at + delta;
        self.seek(wanted);
        if wanted < start {
            Some("At the declaration: the replay starts here".into())
        } else if wanted > end {
            Some("At the end of the replay".into())
        } else {
            None
        }
    }

    fn at_end(&self) -> bool {
        self.at >= self.replay.end()
    }

    /// The record the panes draw: the incident as it stood, with the
    /// newest page of its timeline up to the clock.
    fn record(&self) -> IncidentRecord {
        let s = &self.standing;
        let newest = self.window(WindowAnchor::Newest);
        IncidentRecord {
            incident: s.incident.clone(),
            checklist: s.checklist.clone(),
            timeline: newest.entries,
            has_older: newest.has_older,
            has_newer: false,
            facts: TimelineFacts {
                total: s.applied as u64,
                pinned: self.replay.pinned(s),
                latest_status_update: self.replay.latest_status_update(s),
                last_id: self.replay.last_id(s),
            },
            timers: s.timers.clone(),
            roles: s.roles.clone(),
            actions: s.actions.clone(),
            runbook_text: self.runbook_text.clone(),
        }
    }

    /// A page of the timeline as it stood, as the store would read it.
    fn window(&self, anchor: WindowAnchor) -> TimelineWindow {
        let all = || self.replay.timeline(&self.standing);
        let page = WINDOW_PAGE;
        let (entries, has_older, has_newer): (Vec<TimelineEntry>, bool, bool) = match anchor {
            WindowAnchor::Newest => {
                let mut newest: Vec<_> = all().rev().take(page + 1).collect();
                let more = newest.len() > page;
                newest.truncate(page);
                newest.reverse();
                (newest, more, false)
            }
            WindowAnchor::Oldest => {
                let mut oldest: Vec<_> = all().take(page + 1).collect();
                let more = oldest.len() > page;
                oldest.truncate(page);
                (oldest, false, more)
            }
            WindowAnchor::Before(key) => {
                let mut older: Vec<_> = all()
                    .rev()
                    .filter(|e| EntryKey::of(e) < key)
                    .take(page + 1)
                    .collect();
                let more = older.len() > page;
                older.truncate(page);
                older.reverse();
                (older, more, true)
            }
            WindowAnchor::After(key) => {
                let mut newer: Vec<_> = all().filter(|e| EntryKey::of(e) > key).take(page + 1).collect();
                let more = newer.len() > page;
                newer.truncate(page);
                (newer, true, more)
            }
        };
        TimelineWindow {
            entries,
            has_older,
            has_newer,
        }
    }
}

impl App {
    /// A console replaying `replay` from `from` at `speed`, read-only;
    /// `wall` is the wall clock now.
    pub fn replay(
        account: String,
        database: String,
        replay: Replay,
        runbook_text: String,
        from: DateTime<Utc>,
        speed: u32,
        wall: DateTime<Utc>,
    ) -> App {
        let replay = Arc::new(replay);
        let mut player = Player {
            standing: replay.standing_after(0),
            replay,
            runbook_text,
            at: from,
            speed: speed.clamp(1, MAX_SPEED),
            paused: false,
            wall,
        };
        player.seek(from);
        let mut app = App::new(account, database, player.at);
        app.loaded = true;
        app.bell_enabled = false;
        app.record = Some(player.record());
        app.runbook = crate::runbook::parse(&player.runbook_text).ok();
        app.replay = Some(player);
        app.checklist_selected = app.opening_item();
        app
    }

    /// A clock tick in a replay: the clock moves on if playing (to the end
    /// at most, where it pauses), and messages fade by the wall clock.
    pub(super) fn replay_tick(&mut self, wall: DateTime<Utc>) {
        let Some(player) = self.replay.as_mut() else {
            return;
        };
        let passed = (wall - player.wall).max(TimeDelta::zero());
        player.wall = wall;
        if !player.paused {
            let replayed = passed * i32::try_from(player.speed).unwrap_or(i32::MAX);
            let at = player.at + replayed;
            let before = player.applied();
            player.seek(at);
            let ended = player.at_end();
            if ended {
                player.paused = true;
            }
            self.show_replay(before);
            if ended {
                let start = self.keymap.key_name(Context::Replay, Action::ReplayStart);
                self.say(format!("End of the replay; {start} goes back to the start"));
            }
        }
        if self.flash.as_ref().is_some_and(|f| f.until <= wall) {
            self.flash = None;
        }
    }

    /// A key in a replay's panes: the replay's own, the moves it shares
    /// with the panes, and a word for a key that would write there.
    pub(super) fn replay_key(
        &mut self,
        action: Option<Action>,
        key: ratatui::crossterm::event::KeyEvent,
    ) -> Vec<Request> {
        let Some(player) = self.replay.as_mut() else {
            return Vec::new();
        };
        let before = player.applied();
        let minute = TimeDelta::minutes(1);
        // What to say once the clock has moved, if anything.
        let said: Option<String> = match action {
            Some(Action::ReplayPause) => {
                if player.paused && player.at_end() {
                    let start = player.span().0;
                    player.seek(start);
                }
                player.paused = !player.paused;
                None
            }
            Some(Action::ReplayStepForward) => {
                player.paused = true;
                if player.applied() < player.events() {
                    player.step_to(player.applied() + 1);
                    None
                } else {
                    Some("No later event: this is the last one".into())
                }
            }
            Some(Action::ReplayStepBack) => {
                player.paused = true;
                if player.applied() > 1 {
                    player.step_to(player.applied() - 1);
                    None
                } else {
                    let start = player.span().0;
                    player.seek(start);
                    Some("No earlier event: this is the declaration".into())
                }
            }
            Some(Action::ReplayForward) => player.seek_by(minute),
            Some(Action::ReplayBack) => player.seek_by(-minute),
            Some(Action::ReplayForwardMore) => player.seek_by(minute * 10),
            Some(Action::ReplayBackMore) => player.seek_by(-minute * 10),
            Some(Action::ReplayFaster) => match SPEEDS.iter().find(|s| **s > player.speed) {
                Some(faster) => {
                    player.speed = *faster;
                    None
                }
                None => Some(format!("×{} is the fastest", player.speed)),
            },
            Some(Action::ReplaySlower) => match SPEEDS.iter().rev().find(|s| **s < player.speed) {
                Some(slower) => {
                    player.speed = *slower;
                    None
                }
                None => Some(format!("×{} is the slowest", player.speed)),
            },
            Some(Action::ReplayStart) => {
                let start = player.span().0;
                player.seek(start);
                None
            }
            Some(Action::ReplayEnd) => {
                let end = player.span().1;
                player.seek(end);
                player.paused = true;
                None
            }
            Some(
                action @ (Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::FocusNext
                | Action::FocusPrevious
                | Action::OpenEntry
                | Action::ToggleHelp
                | Action::Quit),
            ) => return self.act(action),
            Some(_) => None,
            None => {
                // Not a replay key: what it would do in the panes.
                let pane = match self.focus {
                    Pane::Checklist => Context::Checklist,
                    Pane::Timeline => Context::Timeline,
                };
                match self.keymap.action_for(pane, &key) {
                    Some(action) if action.writes() => self.complain(READ_ONLY),
                    Some(Action::Search) => self.complain(format!(
                        "{READ_ONLY}: the replay searches nothing (the live console does: warroom {})",
                        self.record.as_ref().map_or(0, |r| r.incident.id)
                    )),
                    _ => {}
                }
                return Vec::new();
            }
        };
        if let Some(said) = said {
            self.say(said);
        }
        self.show_replay(before);
        Vec::new()
    }

    /// Puts the incident as it stood at the replay's clock on the panes;
    /// `before` is how many events were shown until now. When an event
    /// took effect or was undone, the record is replaced and the timeline
    /// follows the clock.
    fn show_replay(&mut self, before: usize) {
        let Some(player) = &self.replay else { return };
        self.now = player.at;
        if player.applied() == before && self.record.is_some() {
            return;
        }
        let record = player.record();
        let items = record.checklist.len();
        self.record = Some(record);
        self.timeline_offset = 0;
        self.timeline_page_asked = None;
        self.checklist_selected = self.checklist_selected.min(items.saturating_sub(1));
    }

    /// What the panes ask of the store, answered from the events in memory
    /// (a replay has no store): pages of the timeline as it stood; an
    /// evidence entry's output is not read.
    pub(super) fn answer_in_replay(&mut self, requests: Vec<Request>) {
        for request in requests {
            let answer = match request {
                Request::TimelinePage { incident, anchor } => {
                    let Some(player) = &self.replay else { return };
                    Event::TimelinePage {
                        incident,
                        anchor,
                        window: Ok(player.window(anchor)),
                    }
                }
                Request::EvidenceOutput { event_id, .. } => Event::EvidenceLoaded {
                    event_id,
                    result: Err("a replay does not read outputs; the live console shows them".into()),
                },
                // Nothing else is asked in a replay (writes are refused first).
                _ => continue,
            };
            let more = self.handle_event(answer);
            self.answer_in_replay(more);
        }
    }
}
