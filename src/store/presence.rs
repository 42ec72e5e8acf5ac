//! Presence: each console upserts a heartbeat row; readers show the rows
//! that are fresh. Not part of the incident record or its event log.
//!
//! Any member of the group can write this table directly, so a row is
//! checked ([`Presence::is_well_formed`]) when written and again when read:
//! one that fails is shown to nobody.

use super::sql::params;
use super::{Result, Store, StoreError, from_millis, to_millis};
use crate::domain::presence::{PRESENCE_TIMEOUT, Presence};
use crate::domain::sanitize_line;
use chrono::{DateTime, Utc};

/// Rows older than this are removed by the next heartbeat of anyone.
const FORGET_AFTER_MS: i64 = 3_600_000;

impl Store {
    /// Says this console is here (and where), now.
    pub fn heartbeat(&mut self, me: &Presence) -> Result<()> {
        if !me.is_well_formed() {
            return Err(StoreError::Invalid(format!(
                "presence not recorded: {} on {} is not a well-formed presence",
                sanitize_line(&me.account),
                sanitize_line(&me.terminal)
            )));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO presence (session, account, terminal, incident_id, since, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (session) DO UPDATE SET incident_id = ?4, seen_at = ?6",
                params![
                    me.session,
                    me.account,
                    me.terminal,
                    me.incident_id,
                    to_millis(me.since),
                    to_millis(me.seen_at)
                ],
            )?;
            tx.execute(
                "DELETE FROM presence WHERE seen_at < ?1",
                params![to_millis(me.seen_at) - FORGET_AFTER_MS],
            )?;
            Ok(())
        })
    }

    /// Says goodbye: the console is closing.
    pub fn leave(&mut self, session: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM presence WHERE session = ?1", params![session])?;
            Ok(())
        })
    }

    /// The consoles seen recently, longest attached first; rows that are not
    /// well formed are left out.
    pub fn presence(&mut self, now: DateTime<Utc>) -> Result<Vec<Presence>> {
        self.read(|tx| {
            let rows = tx.query_map(
                "SELECT session, account, terminal, incident_id, since, seen_at FROM presence
                 WHERE seen_at >= ?1 ORDER BY since, session",
                params![to_millis(now - PRESENCE_TIMEOUT)],
                |r| {
                    Ok(Presence {
                        session: r.get(0)?,
                        account: r.get(1)?,
                        terminal: r.get(2)?,
                        incident_id: r.get(3)?,
                        since: from_millis(r.get(4)?),
                        seen_at: from_millis(r.get(5)?),
                    })
                },
            )?;
            Ok(rows.into_iter().filter(Presence::is_well_formed).collect())
        })
    }
}
