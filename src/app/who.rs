//! `:who`: everyone who has been attached to the incident, with their
//! spans, time attached and active, and entries written (issue #18). Shown
//! in the metrics view's place; the store worker reads it on request.

use super::{App, Input, Request};
use crate::domain::attendance::Participants;

/// What the report view shows for `:who`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum WhoView {
    /// The view shows the metrics (or is not open).
    #[default]
    Closed,
    /// Asked; the answer has not come yet.
    Waiting,
    Shown(Box<Participants>),
}

impl App {
    /// Opens the report view on who has been here, and asks for it.
    pub(super) fn open_who(&mut self) -> Vec<Request> {
        if self.record.is_none() {
            self.complain("No incident: nobody has been here yet".to_string());
            return Vec::new();
        }
        self.help_scroll = 0;
        self.who = WhoView::Waiting;
        self.input = Input::Metrics;
        vec![Request::Who]
    }

    /// The answer to `:who`, unless the view was turned to the metrics since.
    pub(super) fn who_ready(&mut self, participants: Box<Participants>) {
        if self.who != WhoView::Closed {
            self.who = WhoView::Shown(participants);
        }
    }
}
