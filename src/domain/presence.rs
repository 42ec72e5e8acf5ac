//! Who is attached to the war room right now.
//!
//! Each console says it is here every [`HEARTBEAT`]; one that has not said so
//! for [`PRESENCE_TIMEOUT`] (killed, SSH dropped) is no longer shown.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

pub const HEARTBEAT: TimeDelta = TimeDelta::seconds(2);
pub const PRESENCE_TIMEOUT: TimeDelta = TimeDelta::seconds(6);

/// One attached console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    /// Random per console run.
    pub session: String,
    pub account: String,
    /// Terminal it runs on (`pts/3`), to tell one person's two consoles apart.
    pub terminal: String,
    pub incident_id: Option<i64>,
    pub since: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
}

impl Presence {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now - self.seen_at <= PRESENCE_TIMEOUT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_console_that_stops_beating_disappears() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let p = Presence {
            session: "s".into(),
            account: "alice".into(),
            terminal: "pts/1".into(),
            incident_id: Some(1),
            since: t0,
            seen_at: t0,
        };
        assert!(p.is_live(t0 + HEARTBEAT));
        assert!(p.is_live(t0 + PRESENCE_TIMEOUT));
        assert!(!p.is_live(t0 + PRESENCE_TIMEOUT + TimeDelta::seconds(1)));
    }
}
