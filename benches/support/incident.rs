//! The benches' P1 incident of N timeline entries: a mix of notes, status
//! updates and decisions by five responders, with the odd pasted command
//! output and pinned entry, one second apart and ending in a marked newest
//! entry. Written with the store's `add_entries` (what `warroom import`
//! does after parsing) in batches, so building a million entries holds one
//! batch in memory.

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, TimeDelta, Utc};
use warroom::domain::{EntryKind, Milestones, Severity};
use warroom::store::{NewEntry, NewIncident, OpenMode, Store};

/// Entries per transaction while building.
const BATCH: usize = 50_000;

/// A word in one entry of 16 (a search with many matches).
pub const COMMON_WORD: &str = "rollback";
/// A word in one entry of 10,000 (a search with few matches).
pub const RARE_WORD: &str = "canary";
const RARE_EVERY: usize = 10_000;

const AUTHORS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

const PHRASES: [&str; 16] = [
    "checked the dashboards, error rate steady",
    "5xx rate on the EU load balancers is climbing again",
    "paging the payments on-call, no answer yet",
    "connection pool on db-7 saturated, raising max_connections from 200 to 400 as a stopgap",
    "rollback of deploy to eu-west-1 started",
    "p99 latency back under 400 ms in eu-west-1",
    "customer support reports checkout failures for card payments from three merchants",
    "replica lag normal",
    "opened a ticket with the CDN provider about the cache purge that never completed",
    "traffic shifted away from the bad zone",
    "disk on log-3 at 91%, rotating",
    "still seeing retries from the mobile clients",
    "feature flag new-pricing turned off for everyone",
    "memory on the API pods stable after the restart",
    "synthetic checks green in us-east-1, amber in eu-west-1",
    "waiting on the vendor for the root cause of the certificate expiry",
];

/// The incident's title, told apart by its size.
pub fn title(entries: usize) -> String {
    format!("History bench {entries} entries")
}

/// The text of the last (newest) entry, found nowhere else.
pub fn newest_text(entries: usize) -> String {
    format!("newest entry of {entries}")
}

/// Creates `db` holding one open P1 incident of `entries` timeline entries
/// (besides its declaration), the newest at about now; returns its id.
pub fn build(db: &Path, entries: usize) -> i64 {
    let now = Utc::now();
    let declared = now - TimeDelta::seconds(entries as i64 + 60);
    let mut store = Store::open(db, OpenMode::Create).expect("create the bench database");
    let id = store
        .declare(&NewIncident::with_default_runbook(
            format!("bench-{entries}"),
            title(entries),
            Severity::P1,
            Milestones::new(declared),
            "alice",
        ))
        .expect("declare the bench incident");
    let mut batch = Vec::with_capacity(BATCH.min(entries));
    for n in 0..entries {
        batch.push(entry(n, entries, declared));
        if batch.len() == BATCH || n + 1 == entries {
            store.add_entries(id, &batch).expect("add the bench entries");
            batch.clear();
        }
    }
    id
}

/// Entry `n` of `entries`.
fn entry(n: usize, entries: usize, declared: DateTime<Utc>) -> NewEntry {
    let kind = match n {
        _ if n % 500 == 250 => EntryKind::StatusUpdate,
        _ if n % 5_000 == 1_250 => EntryKind::Decision,
        _ => EntryKind::Note,
    };
    let text = if n + 1 == entries {
        newest_text(entries)
    } else if n % RARE_EVERY == 5_000 {
        format!("{RARE_WORD} stage {n} holding at 5% of traffic")
    } else if n.is_multiple_of(97) {
        // Pasted command output: kept as lines, not wrapped.
        format!(
            "kubectl get pods -n payments (#{n})\n  NAME                 READY   STATUS    RESTARTS\n  api-{n:06}-x   1/1     Running   {}",
            n % 4
        )
    } else {
        format!("{}: {}", n, PHRASES[n % PHRASES.len()])
    };
    NewEntry {
        uuid: format!("bench-{n}"),
        kind,
        occurred_at: declared + TimeDelta::seconds(30 + n as i64),
        author: AUTHORS[n % AUTHORS.len()].into(),
        text,
        pinned: n % 20_000 == 10_000,
    }
}
