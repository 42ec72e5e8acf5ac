//! Shared timers: anyone starts one ("check rollback in 10 minutes"); the
//! deadline is stored, so every console counts down to the same moment.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    Running,
    Done,
    Cancelled,
}

impl TimerState {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerState::Running => "running",
            TimerState::Done => "done",
            TimerState::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for TimerState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "running" => Ok(TimerState::Running),
            "done" => Ok(TimerState::Done),
            "cancelled" => Ok(TimerState::Cancelled),
            _ => Err(format!("unknown timer state {s:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timer {
    /// Small number within the database (`:timer done 3`).
    pub id: i64,
    pub label: String,
    pub deadline: DateTime<Utc>,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub state: TimerState,
}

impl Timer {
    /// Running and past its deadline: it needs someone's attention.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.state == TimerState::Running && now >= self.deadline
    }
}
