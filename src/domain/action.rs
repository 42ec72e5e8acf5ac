//! Action items: the preventive measures a post-mortem assigns. They belong
//! to an incident and outlive its closing.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItem {
    pub id: i64,
    pub incident_id: i64,
    pub text: String,
    pub owner: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub done_by: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

impl ActionItem {
    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }

    /// Open and past its due date.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        !self.is_done() && self.due_at.is_some_and(|due| due < now)
    }
}
