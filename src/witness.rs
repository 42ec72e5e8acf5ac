//! What this account has seen of a war room's record, kept where only it can
//! write (`~/.local/state/warroom/seen/`), so that a rewrite of anything it
//! has already seen is noticed even when the rewriter recomputed the chain.
//!
//! One file per database path: a header naming the database (a digest of
//! its `database_id`), then one 16-byte record per event seen: the id and the
//! first 8 bytes of its chain value, appended as events are seen.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::domain::chain::{Break, ChainValue, GENESIS, stored_value, to_hex};
use crate::private_state;
use crate::store::{Location, Store, StoreError};

/// The subfolder of the private state folder.
const SEEN: &str = "seen";
const MAGIC: &[u8] = b"warroom-seen-v1 ";
/// MAGIC, 32 hex characters naming the database, a newline.
const HEADER_LEN: u64 = 49;
const RECORD_LEN: usize = 16;

type Fingerprint = [u8; 8];

fn fingerprint(stored: Option<&[u8]>) -> Fingerprint {
    let value = stored_value(stored);
    value[..8].try_into().expect("8 of 32 bytes")
}

/// The result of walking the whole record.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Events in the record.
    pub events: u64,
    /// The newest event and its chain value.
    pub head: (i64, ChainValue),
    /// The first place where the chain does not hold.
    pub chain_break: Option<Break>,
    /// The first place where the record no longer extends what this
    /// account saw before.
    pub seen_break: Option<Break>,
    /// The newest event this account had seen before this walk.
    pub seen_up_to: Option<i64>,
}

impl Verification {
    pub fn first_break(&self) -> Option<&Break> {
        self.chain_break.as_ref().or(self.seen_break.as_ref())
    }

    pub fn head_hex(&self) -> String {
        to_hex(&self.head.1)
    }
}

/// One process's view of what its account has seen of one database.
#[derive(Debug)]
pub struct Witness {
    /// None when the account has no private state folder (no home): checks
    /// still run within this process, nothing is kept.
    file: Option<PathBuf>,
    /// Names the database in the file's header.
    tag: String,
    /// The newest event verified by this process, and its value.
    head: Option<(i64, ChainValue)>,
    /// Once broken, stays broken for this process.
    broken: Option<Break>,
    /// The seen file, open for appending once it was first written to (a
    /// console remembers at every wake: one write, not an open and a close).
    appender: std::cell::RefCell<Option<std::fs::File>>,
}

impl Witness {
    /// The witness of this account for the database `store` has open.
    pub fn for_store(store: &mut Store) -> Result<Witness, StoreError> {
        let database_id = store.database_id()?;
        let digest = Sha256::digest(database_id.as_bytes());
        Ok(Witness {
            file: seen_file(store.location()),
            tag: to_hex(&digest[..16]),
            head: None,
            broken: None,
            appender: Default::default(),
        })
    }

    /// Checks that the record still extends what this account saw and that
    /// the events written since link correctly, then records them as seen.
    /// Cheap when little is new: one lookup of the last event seen, then
    /// only the new events. Returns the break, if any (it stays reported).
    pub fn check(&mut self, store: &mut Store) -> Result<Option<Break>, StoreError> {
        if let Some(broken) = &self.broken {
            return Ok(Some(broken.clone()));
        }
        let start = match self.head {
            // Nothing was there yet: the chain's start is no event to look up.
            Some((0, value)) => (0, value),
            // Still there as this process saw it? A recomputed chain changes it.
            Some((id, value)) => match store.chain_value(id)? {
                Some(stored) if stored_value(stored.as_deref()) == value => (id, value),
                _ => {
                    let found = self.verify(store)?.first_break().cloned();
                    let broken = found.unwrap_or(Break::Rewritten { id });
                    self.broken = Some(broken.clone());
                    return Ok(Some(broken));
                }
            },
            None => match self.seen_head(store)? {
                Ok(head) => head,
                // Find exactly where, by walking everything (rare).
                Err(()) => return Ok(self.verify(store)?.first_break().cloned()),
            },
        };
        let mut new = Remembered::new(self);
        let walk = store.walk_chain(start, |id, stored, intact| {
            if intact {
                new.push(id, fingerprint(stored));
            }
        })?;
        new.flush();
        if let Some(broken) = walk.first_break {
            self.broken = Some(broken.clone());
            return Ok(Some(broken));
        }
        self.head = Some(walk.head());
        Ok(None)
    }

    /// Walks the whole record: every link of the chain, and every event this
    /// account saw before against what it is now. Records the new events as
    /// seen when everything holds.
    pub fn verify(&mut self, store: &mut Store) -> Result<Verification, StoreError> {
        // Read as walked, never whole: what a million events cost must not
        // be held (every console walks once at start).
        let (mut seen, mut seen_break) = match self.seen_records() {
            Ok(seen) => (seen, None),
            Err(replaced) => (SeenRecords::none(), Some(replaced)),
        };
        let seen_up_to = seen.last_id;
        let mut new = Remembered::new(self);
        let walk = store.walk_chain((0, GENESIS), |id, stored, intact| {
            let now = fingerprint(stored);
            // Seen events that are no longer there come first.
            while let Some((seen_id, seen_print)) = seen.next_if_at_or_before(id) {
                if seen_break.is_none() && (seen_id < id || seen_print != now) {
                    seen_break = Some(Break::Rewritten { id: seen_id });
                }
            }
            // Every seen event comes before the new ones, so by the first
            // new event whether what was seen still holds is known.
            if seen_up_to.is_none_or(|up_to| id > up_to) && intact && seen_break.is_none() {
                new.push(id, now);
            }
        })?;
        if seen_break.is_none()
            && let Some((seen_id, _)) = seen.next_if_at_or_before(i64::MAX)
        {
            seen_break = Some(Break::Truncated {
                last: walk.head().0,
                seen: seen_up_to.unwrap_or(seen_id),
            });
        }
        let verification = Verification {
            events: walk.events,
            head: walk.head(),
            chain_break: walk.first_break,
            seen_break,
            seen_up_to,
        };
        match verification.first_break() {
            Some(broken) => self.broken = Some(broken.clone()),
            None => {
                new.flush();
                self.head = Some(verification.head);
            }
        }
        Ok(verification)
    }

    /// The newest event seen before, checked against the record: Ok with it
    /// (or the start) when it still holds, Err when it does not.
    fn seen_head(&mut self, store: &mut Store) -> Result<Result<(i64, ChainValue), ()>, StoreError> {
        let Some(file) = &self.file else {
            return Ok(Ok((0, GENESIS)));
        };
        let last = match last_record(file, &self.tag) {
            Ok(last) => last,
            Err(_replaced) => return Ok(Err(())),
        };
        let Some((id, print)) = last else {
            return Ok(Ok((0, GENESIS)));
        };
        Ok(match store.chain_value(id)? {
            Some(stored) if fingerprint(stored.as_deref()) == print => {
                Ok((id, stored_value(stored.as_deref())))
            }
            _ => Err(()),
        })
    }

    /// The events seen before, read from the file as they are needed (Err:
    /// the file names another database).
    fn seen_records(&self) -> Result<SeenRecords, Break> {
        let Some(file) = &self.file else {
            return Ok(SeenRecords::none());
        };
        let Ok(mut handle) = open_existing(file) else {
            return Ok(SeenRecords::none());
        };
        check_header(&mut handle, &self.tag)?;
        let last_id = last_record(file, &self.tag)?.map(|(id, _)| id);
        Ok(SeenRecords {
            reader: Some(std::io::BufReader::new(handle)),
            peeked: None,
            read_up_to: 0,
            last_id,
        })
    }

    /// Appends events as seen. Best effort: a full home folder must not stop
    /// the war room (the check still ran).
    fn remember(&self, events: &[(i64, Fingerprint)]) {
        let Some(file) = &self.file else { return };
        if events.is_empty() {
            return;
        }
        let mut appender = self.appender.borrow_mut();
        if appender.is_none() {
            if create_with_header(file, &self.tag).is_err() {
                return;
            }
            *appender = private_state::open_private_append(file).ok();
        }
        let Some(handle) = appender.as_mut() else { return };
        let mut bytes = Vec::with_capacity(events.len() * RECORD_LEN);
        for (id, print) in events {
            bytes.extend_from_slice(&id.to_le_bytes());
            bytes.extend_from_slice(print);
        }
        // One write: appends of other processes of this account do not
        // interleave with it.
        let _ = handle.write_all(&bytes);
    }
}

/// The seen file's records in id order, one at a time. The file is runs of
/// increasing ids, one per append; two processes of one account may append
/// the same events, so a record at or below an id already read repeats one
/// (the first appended counts, as it was seen first) and is skipped.
struct SeenRecords {
    reader: Option<std::io::BufReader<std::fs::File>>,
    peeked: Option<(i64, Fingerprint)>,
    read_up_to: i64,
    /// The newest event recorded (the file's last record).
    last_id: Option<i64>,
}

impl SeenRecords {
    fn none() -> SeenRecords {
        SeenRecords {
            reader: None,
            peeked: None,
            read_up_to: 0,
            last_id: None,
        }
    }

    /// The next record in id order if its id is at most `id`.
    fn next_if_at_or_before(&mut self, id: i64) -> Option<(i64, Fingerprint)> {
        if self.peeked.is_none() {
            self.peeked = self.read_next();
        }
        let next = self.peeked.filter(|(seen_id, _)| *seen_id <= id)?;
        self.peeked = None;
        Some(next)
    }

    fn read_next(&mut self) -> Option<(i64, Fingerprint)> {
        let reader = self.reader.as_mut()?;
        let mut record = [0; RECORD_LEN];
        while reader.read_exact(&mut record).is_ok() {
            let (id, print) = decode(&record);
            if id > self.read_up_to {
                self.read_up_to = id;
                return Some((id, print));
            }
        }
        None
    }
}

/// New events to record as seen, appended a batch at a time.
struct Remembered<'a> {
    witness: &'a Witness,
    batch: Vec<(i64, Fingerprint)>,
}

impl<'a> Remembered<'a> {
    const BATCH: usize = 4_096;

    fn new(witness: &'a Witness) -> Remembered<'a> {
        Remembered {
            witness,
            batch: Vec::new(),
        }
    }

    fn push(&mut self, id: i64, print: Fingerprint) {
        self.batch.push((id, print));
        if self.batch.len() >= Self::BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.witness.remember(&self.batch);
        self.batch.clear();
    }
}

/// `seen/<digest of the database's location>` in the private state folder.
fn seen_file(database: &Location) -> Option<PathBuf> {
    Some(
        private_state::state_dir()
            .ok()?
            .join(SEEN)
            .join(database.digest()),
    )
}

fn decode(record: &[u8]) -> (i64, Fingerprint) {
    let id = i64::from_le_bytes(record[..8].try_into().expect("8 bytes"));
    (id, record[8..16].try_into().expect("8 bytes"))
}

fn header(tag: &str) -> Vec<u8> {
    let mut header = MAGIC.to_vec();
    header.extend_from_slice(tag.as_bytes());
    header.push(b'\n');
    header
}

fn open_existing(file: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(file)
}

/// Err when the file was written for another database at this path.
fn check_header(handle: &mut std::fs::File, tag: &str) -> Result<(), Break> {
    let mut found = vec![0; HEADER_LEN as usize];
    if handle.read_exact(&mut found).is_err() || found == header(tag) {
        return Ok(());
    }
    let was = String::from_utf8_lossy(&found[MAGIC.len()..MAGIC.len() + 8]).into_owned();
    Err(Break::Replaced {
        seen: format!("database {was}…"),
        now: format!("database {}…", &tag[..8]),
    })
}

/// The last event recorded as seen (Err: the file names another database).
fn last_record(file: &Path, tag: &str) -> Result<Option<(i64, Fingerprint)>, Break> {
    let Ok(mut handle) = open_existing(file) else {
        return Ok(None);
    };
    check_header(&mut handle, tag)?;
    let Ok(len) = handle.metadata().map(|m| m.len()) else {
        return Ok(None);
    };
    let records = len.saturating_sub(HEADER_LEN) / RECORD_LEN as u64;
    if records == 0 {
        return Ok(None);
    }
    let mut record = [0; RECORD_LEN];
    let at = HEADER_LEN + (records - 1) * RECORD_LEN as u64;
    if handle.seek(SeekFrom::Start(at)).is_err() || handle.read_exact(&mut record).is_err() {
        return Ok(None);
    }
    Ok(Some(decode(&record)))
}

/// Makes the file with its header, unless it exists. Written aside and
/// renamed into place, so no process reads half a header; two processes
/// racing here write the same header, and records the loser appended to the
/// replaced file are simply recorded again on a later look.
fn create_with_header(file: &Path, tag: &str) -> std::io::Result<()> {
    if file.symlink_metadata().is_ok() {
        return Ok(());
    }
    private_state::private_dir(SEEN)?;
    private_state::write_private(file, &header(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, print: u8) -> Vec<u8> {
        let mut bytes = id.to_le_bytes().to_vec();
        bytes.extend_from_slice(&[print; 8]);
        bytes
    }

    #[test]
    fn seen_records_come_in_id_order_the_first_appended_of_a_repeat_counting() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("seen");
        // Two processes of one account appended 3..4 both, the second with
        // another value (it saw a rewrite): the first counts.
        let mut bytes = header(&"0".repeat(32));
        for (id, print) in [(1, 1), (2, 2), (3, 3), (4, 4), (3, 9), (4, 9), (5, 5)] {
            bytes.extend(record(id, print));
        }
        std::fs::write(&file, bytes).unwrap();
        let mut seen = SeenRecords {
            reader: Some(std::io::BufReader::new(std::fs::File::open(&file).unwrap())),
            peeked: None,
            read_up_to: 0,
            last_id: Some(5),
        };
        let mut header_bytes = vec![0; HEADER_LEN as usize];
        seen.reader
            .as_mut()
            .unwrap()
            .read_exact(&mut header_bytes)
            .unwrap();
        assert_eq!(seen.next_if_at_or_before(0), None, "nothing at or before 0");
        let mut read = Vec::new();
        while let Some((id, print)) = seen.next_if_at_or_before(i64::MAX) {
            read.push((id, print[0]));
        }
        assert_eq!(read, [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]);
    }
}
