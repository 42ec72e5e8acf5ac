//! The chain over the event log, as stored: each event's value is written in
//! the transaction that appends it (ids are handed out there, so the chain
//! follows the log's order) and walked back to verify the record.

use super::sql::{Row, Tx, params};
use super::{Result, Store};
use crate::domain::chain::{ChainValue, ChainWalk, EventContent, GENESIS, link, stored_value};

const SELECT_CHAINED: &str = "SELECT id, uuid, incident_id, kind, occurred_at, recorded_at, author, text,
    pinned, data, chain FROM events";

/// Events read in one go while walking, so a long walk does not hold one
/// statement (and the WAL) for the whole record.
const PAGE: i64 = 2_000;

/// An event row with everything the chain covers.
struct ChainedRow {
    id: i64,
    uuid: String,
    incident_id: i64,
    kind: String,
    occurred_at: i64,
    recorded_at: i64,
    author: String,
    text: String,
    pinned: bool,
    data: Option<String>,
    chain: Option<Vec<u8>>,
}

impl ChainedRow {
    fn from_row(r: &Row) -> Result<ChainedRow> {
        Ok(ChainedRow {
            id: r.get(0)?,
            uuid: r.get(1)?,
            incident_id: r.get(2)?,
            kind: r.get(3)?,
            occurred_at: r.get(4)?,
            recorded_at: r.get(5)?,
            author: r.get(6)?,
            text: r.get(7)?,
            pinned: r.get(8)?,
            data: r.get(9)?,
            // A value of another type (written around warroom) counts as none.
            chain: r.get_lenient(10),
        })
    }

    fn content(&self) -> EventContent<'_> {
        EventContent {
            id: self.id,
            uuid: &self.uuid,
            incident_id: self.incident_id,
            kind: &self.kind,
            occurred_at_ms: self.occurred_at,
            recorded_at_ms: self.recorded_at,
            author: &self.author,
            text: &self.text,
            pinned: self.pinned,
            data: self.data.as_deref(),
        }
    }
}

/// The newest event's id and the value the next event links to.
pub(super) fn last_link(tx: &Tx<'_>) -> Result<(i64, ChainValue)> {
    let last: Option<(i64, Option<Vec<u8>>)> = tx
        .query_opt("SELECT id, chain FROM events ORDER BY id DESC LIMIT 1", params![])?
        .map(|r| Ok::<_, super::StoreError>((r.get(0)?, r.get_lenient(1))))
        .transpose()?;
    Ok(match last {
        Some((id, chain)) => (id, stored_value(chain.as_deref())),
        None => (0, GENESIS),
    })
}

/// Gives the events written before the chain existed their values, in order.
pub(super) fn backfill(tx: &Tx<'_>) -> Result<()> {
    let mut previous = GENESIS;
    let mut after = 0;
    loop {
        let rows = page_after(tx, after)?;
        let Some(last) = rows.last() else { return Ok(()) };
        after = last.id;
        for row in &rows {
            previous = link(&previous, &row.content());
            tx.execute(
                "UPDATE events SET chain = ?1 WHERE id = ?2",
                params![&previous[..], row.id],
            )?;
        }
    }
}

fn page_after(tx: &Tx<'_>, after: i64) -> Result<Vec<ChainedRow>> {
    tx.query_map(
        &format!("{SELECT_CHAINED} WHERE id > ?1 ORDER BY id LIMIT ?2"),
        params![after, PAGE],
        ChainedRow::from_row,
    )
}

impl Store {
    /// The database's own identity, made when its chain was (migration 5).
    pub fn database_id(&mut self) -> Result<String> {
        self.read(|tx| {
            Ok(tx
                .query_opt("SELECT value FROM meta WHERE key = 'database_id'", params![])?
                .map(|r| r.get(0))
                .transpose()?
                .unwrap_or_default())
        })
    }

    /// Walks the events after event `after.0` (whose stored value is
    /// `after.1`) in id order, calling `visit` with each id, stored value
    /// and whether the chain has held so far (that event included).
    /// Each page is its own short read.
    pub fn walk_chain(
        &mut self,
        after: (i64, ChainValue),
        mut visit: impl FnMut(i64, Option<&[u8]>, bool),
    ) -> Result<ChainWalk> {
        let mut walk = ChainWalk::after(after.0, after.1);
        let mut cursor = after.0;
        loop {
            let rows = self.read(|tx| page_after(tx, cursor))?;
            let Some(last) = rows.last() else { return Ok(walk) };
            cursor = last.id;
            for row in &rows {
                walk.step(&row.content(), row.chain.as_deref());
                visit(row.id, row.chain.as_deref(), walk.first_break.is_none());
            }
            // A short page was the end (no read of an empty one: a console
            // checks after every commit).
            if (rows.len() as i64) < PAGE {
                return Ok(walk);
            }
        }
    }

    /// The stored chain value of event `id`: None when there is no such
    /// event, Some(None) when it has no value.
    pub fn chain_value(&mut self, id: i64) -> Result<Option<Option<Vec<u8>>>> {
        self.read(|tx| {
            Ok(tx
                .query_opt("SELECT chain FROM events WHERE id = ?1", params![id])?
                .map(|r| r.get_lenient::<Vec<u8>>(0)))
        })
    }

    /// The newest event's id (0 when there is none).
    pub fn last_event_id(&mut self) -> Result<i64> {
        self.read(|tx| {
            tx.query_one("SELECT coalesce(max(id), 0) FROM events", params![])?
                .get(0)
        })
    }
}
