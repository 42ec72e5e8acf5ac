//! The tamper-evident record: every event carries a SHA-256 chain value over
//! the previous event's value and its own canonical content, so changing,
//! removing, inserting or reordering any event breaks the chain from there on.
//!
//! A member who can write the file could recompute the whole chain; that is
//! caught by each account keeping the values it has already seen (see
//! `crate::witness`). Pure: no I/O.

use sha2::{Digest, Sha256};

/// A chain value: SHA-256 over the previous value and one event.
pub type ChainValue = [u8; 32];

/// The value "before" the first event.
pub const GENESIS: ChainValue = [0; 32];

/// Bumped if the canonical form ever changes, so old and new never mix.
const DOMAIN: &[u8] = b"warroom-event-v1\0";

/// A stored value as the next event links to it: a missing or malformed
/// value links like the start of the record (a walk reports it).
pub fn stored_value(stored: Option<&[u8]>) -> ChainValue {
    stored.and_then(|s| s.try_into().ok()).unwrap_or(GENESIS)
}

/// Everything of an event that the chain vouches for, as stored.
#[derive(Debug, Clone, Copy)]
pub struct EventContent<'a> {
    pub id: i64,
    pub uuid: &'a str,
    pub incident_id: i64,
    pub kind: &'a str,
    pub occurred_at_ms: i64,
    pub recorded_at_ms: i64,
    pub author: &'a str,
    pub text: &'a str,
    pub pinned: bool,
    pub data: Option<&'a str>,
}

/// The chain value of `event` following `previous`.
///
/// Every field is length-prefixed (or fixed-width), so no two different
/// events share a canonical form.
pub fn link(previous: &ChainValue, event: &EventContent<'_>) -> ChainValue {
    let mut hash = Sha256::new();
    hash.update(DOMAIN);
    hash.update(previous);
    hash.update(event.id.to_be_bytes());
    text(&mut hash, event.uuid);
    hash.update(event.incident_id.to_be_bytes());
    text(&mut hash, event.kind);
    hash.update(event.occurred_at_ms.to_be_bytes());
    hash.update(event.recorded_at_ms.to_be_bytes());
    text(&mut hash, event.author);
    text(&mut hash, event.text);
    hash.update([u8::from(event.pinned)]);
    match event.data {
        None => hash.update([0]),
        Some(data) => {
            hash.update([1]);
            text(&mut hash, data);
        }
    }
    hash.finalize().into()
}

fn text(hash: &mut Sha256, value: &str) {
    hash.update((value.len() as u64).to_be_bytes());
    hash.update(value.as_bytes());
}

/// What is wrong at one point of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's content or chain value is not what was written.
    Altered { id: i64 },
    /// Events before `id` are missing (ids jump from `after` to `id`).
    Removed { after: i64, id: i64 },
    /// The event has no chain value at all (written around warroom).
    Unchained { id: i64 },
    /// An event this account saw is no longer as it saw it, though the
    /// chain itself is consistent: it was recomputed after a rewrite.
    Rewritten { id: i64 },
    /// The record ends before events this account saw.
    Truncated { last: i64, seen: i64 },
    /// The database at this path is not the one this account saw before.
    Replaced { seen: String, now: String },
}

impl Break {
    /// The first event that no longer matches (for badges and exit codes).
    pub fn event_id(&self) -> Option<i64> {
        match self {
            Break::Altered { id } | Break::Unchained { id } | Break::Rewritten { id } => Some(*id),
            Break::Removed { after, .. } => Some(after + 1),
            Break::Truncated { last, .. } => Some(last + 1),
            Break::Replaced { .. } => None,
        }
    }

    /// In words, for `verify`, `doctor` and the console.
    pub fn describe(&self) -> String {
        match self {
            Break::Altered { id } => format!(
                "event #{id} does not match its chain value: it was changed (or another event put in its place) after it was written"
            ),
            Break::Removed { after, id } => {
                if id - after == 2 {
                    format!(
                        "event #{} is missing: it was removed after it was written",
                        after + 1
                    )
                } else {
                    format!(
                        "events #{}–#{} are missing: they were removed after they were written",
                        after + 1,
                        id - 1
                    )
                }
            }
            Break::Unchained { id } => {
                format!("event #{id} has no chain value: it was written into the file around warroom")
            }
            Break::Rewritten { id } => format!(
                "event #{id} is no longer what this account saw: the record was rewritten and its chain recomputed"
            ),
            Break::Truncated { last, seen } => format!(
                "the record ends at event #{last}, but this account saw events up to #{seen}: they were removed"
            ),
            Break::Replaced { seen, now } => format!(
                "this is not the database this account saw at this path (it was {seen}, it is now {now}): the file was replaced or its identity rewritten"
            ),
        }
    }
}

/// Walks events in id order, checking each link against the one before.
#[derive(Debug, Clone)]
pub struct ChainWalk {
    previous_id: i64,
    previous: ChainValue,
    /// The first break found, if any.
    pub first_break: Option<Break>,
    /// Events walked.
    pub events: u64,
}

impl ChainWalk {
    /// Starts after event `previous_id` whose stored value is `previous`
    /// (`0` and [`GENESIS`] for the whole record).
    pub fn after(previous_id: i64, previous: ChainValue) -> ChainWalk {
        ChainWalk {
            previous_id,
            previous,
            first_break: None,
            events: 0,
        }
    }

    /// Checks the next event and its stored chain value (None: missing).
    /// Later events are still walked after a break (each is checked against
    /// the value stored before it), but only the first break is kept.
    pub fn step(&mut self, event: &EventContent<'_>, stored: Option<&[u8]>) {
        self.events += 1;
        let problem = match stored {
            None => Some(Break::Unchained { id: event.id }),
            Some(stored) if stored != link(&self.previous, event) => {
                if event.id > self.previous_id + 1 {
                    Some(Break::Removed {
                        after: self.previous_id,
                        id: event.id,
                    })
                } else {
                    Some(Break::Altered { id: event.id })
                }
            }
            Some(_) => None,
        };
        if self.first_break.is_none() {
            self.first_break = problem;
        }
        self.previous_id = event.id;
        self.previous = stored_value(stored);
    }

    /// The last event walked and its stored value.
    pub fn head(&self) -> (i64, ChainValue) {
        (self.previous_id, self.previous)
    }
}

/// Lower-case hexadecimal, for printing chain values.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, text: &str) -> EventContent<'_> {
        EventContent {
            id,
            uuid: "u",
            incident_id: 1,
            kind: "note",
            occurred_at_ms: 1,
            recorded_at_ms: 2,
            author: "alice",
            text,
            pinned: false,
            data: None,
        }
    }

    fn chain(texts: &[&str]) -> Vec<ChainValue> {
        let mut previous = GENESIS;
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                previous = link(&previous, &event(i as i64 + 1, t));
                previous
            })
            .collect()
    }

    #[test]
    fn every_field_changes_the_value() {
        let base = event(1, "x");
        let value = link(&GENESIS, &base);
        let variants = [
            EventContent { id: 2, ..base },
            EventContent { uuid: "v", ..base },
            EventContent {
                incident_id: 2,
                ..base
            },
            EventContent {
                kind: "decision",
                ..base
            },
            EventContent {
                occurred_at_ms: 3,
                ..base
            },
            EventContent {
                recorded_at_ms: 3,
                ..base
            },
            EventContent {
                author: "mallory",
                ..base
            },
            EventContent { text: "y", ..base },
            EventContent { pinned: true, ..base },
            EventContent {
                data: Some(""),
                ..base
            },
        ];
        for variant in variants {
            assert_ne!(link(&GENESIS, &variant), value, "{variant:?}");
        }
        assert_ne!(link(&[1; 32], &base), value, "the previous value counts");
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let a = EventContent {
            author: "ab",
            text: "c",
            ..event(1, "")
        };
        let b = EventContent {
            author: "a",
            text: "bc",
            ..event(1, "")
        };
        assert_ne!(link(&GENESIS, &a), link(&GENESIS, &b));
    }

    #[test]
    fn a_walk_finds_the_first_altered_removed_or_unchained_event() {
        let values = chain(&["a", "b", "c", "d"]);
        let walk = |events: &[(i64, &str, Option<&ChainValue>)]| {
            let mut walk = ChainWalk::after(0, GENESIS);
            for (id, text, stored) in events {
                walk.step(&event(*id, text), stored.map(|v| &v[..]));
            }
            walk
        };
        let intact = walk(&[(1, "a", Some(&values[0])), (2, "b", Some(&values[1]))]);
        assert_eq!(intact.first_break, None);
        assert_eq!(intact.head(), (2, values[1]));

        let altered = walk(&[
            (1, "a", Some(&values[0])),
            (2, "B", Some(&values[1])),
            (3, "c", Some(&values[2])),
        ]);
        assert_eq!(altered.first_break, Some(Break::Altered { id: 2 }));

        let removed = walk(&[(1, "a", Some(&values[0])), (3, "c", Some(&values[2]))]);
        assert_eq!(removed.first_break, Some(Break::Removed { after: 1, id: 3 }));

        let unchained = walk(&[(1, "a", Some(&values[0])), (2, "b", None)]);
        assert_eq!(unchained.first_break, Some(Break::Unchained { id: 2 }));
    }
}
