//! Presence: each console upserts a heartbeat row; readers show the rows
//! that are fresh. Not part of the incident record or its event log.
//!
//! Any member of the group can write this table directly, so a row is
//! checked ([`Presence::is_well_formed`]) when written and again when read:
//! one that fails is shown to nobody.
//!
//! On a server shared by several hosts, rows are stamped and aged by the
//! server's clock: each console shifts its times by how far its own clock
//! is from the server's, so a host whose clock runs behind cannot make its
//! consoles look fresh (or others' stale).

use chrono::{DateTime, TimeDelta, Utc};

use super::sql::{Tx, params};
use super::{Result, Store, StoreError, from_millis, to_millis};
use crate::domain::presence::{PRESENCE_TIMEOUT, Presence};
use crate::domain::sanitize_line;

/// Rows older than this are removed by the next heartbeat of anyone.
const FORGET_AFTER_MS: i64 = 3_600_000;

/// How far the server's clock is ahead of this host's (zero for a file).
fn server_ahead(tx: &Tx<'_>, local_now: DateTime<Utc>) -> Result<TimeDelta> {
    Ok(tx.server_clock()?.map_or(TimeDelta::zero(), |server| {
        TimeDelta::milliseconds(server - to_millis(local_now))
    }))
}

impl Store {
    /// Says this console is here (and where), now.
    pub fn heartbeat(&mut self, me: &Presence) -> Result<()> {
        self.heartbeat_with_activity(me, false)
    }

    /// Says this console is here, now, and keeps it in the incident's
    /// attendance; `active`: keys were typed since the last heartbeat.
    pub fn heartbeat_with_activity(&mut self, me: &Presence, active: bool) -> Result<()> {
        if !me.is_well_formed() {
            return Err(StoreError::Invalid(format!(
                "presence not recorded: {} on {} is not a well-formed presence",
                sanitize_line(&me.account),
                sanitize_line(&me.terminal)
            )));
        }
        self.write_unordered(|tx| {
            let ahead = server_ahead(tx, me.seen_at)?;
            let seen_at = to_millis(me.seen_at + ahead);
            tx.execute(
                "INSERT INTO presence (session, account, terminal, host, incident_id, since, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (session) DO UPDATE SET incident_id = ?5, seen_at = ?7",
                params![
                    me.session,
                    me.account,
                    me.terminal,
                    me.host,
                    me.incident_id,
                    to_millis(me.since + ahead),
                    seen_at
                ],
            )?;
            tx.execute(
                "DELETE FROM presence WHERE seen_at < ?1",
                params![seen_at - FORGET_AFTER_MS],
            )?;
            let since = to_millis(me.since + ahead);
            super::attendance::record_heartbeat(tx, me, since, seen_at, active)
        })
    }

    /// Says goodbye: the console is closing (its attendance span ends now).
    pub fn leave(&mut self, session: &str) -> Result<()> {
        self.write_unordered(|tx| {
            tx.execute("DELETE FROM presence WHERE session = ?1", params![session])?;
            let now = Utc::now();
            let now = to_millis(now + server_ahead(tx, now)?);
            super::attendance::record_goodbye(tx, session, now)
        })
    }

    /// The consoles seen recently, longest attached first, their times in
    /// this host's clock; rows that are not well formed are left out.
    pub fn presence(&mut self, now: DateTime<Utc>) -> Result<Vec<Presence>> {
        self.read(|tx| {
            let ahead = server_ahead(tx, now)?;
            let rows = tx.query_map(
                "SELECT session, account, terminal, host, incident_id, since, seen_at FROM presence
                 WHERE seen_at >= ?1 ORDER BY since, session",
                params![to_millis(now + ahead - PRESENCE_TIMEOUT)],
                |r| {
                    Ok(Presence {
                        session: r.get(0)?,
                        account: r.get(1)?,
                        terminal: r.get(2)?,
                        host: r.get::<Option<String>>(3)?.unwrap_or_default(),
                        incident_id: r.get(4)?,
                        since: from_millis(r.get(5)?) - ahead,
                        seen_at: from_millis(r.get(6)?) - ahead,
                    })
                },
            )?;
            Ok(rows.into_iter().filter(Presence::is_well_formed).collect())
        })
    }
}
