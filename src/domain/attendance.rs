//! Who was there: each console's attachment to an incident, kept after it
//! leaves, and what the post-mortem and the metrics make of it (participants,
//! responder-hours, an estimated cost).
//!
//! Pure: no I/O and no clock (`now` is an argument). Spans come from the
//! presence heartbeats (every [`HEARTBEAT`](super::presence::HEARTBEAT)),
//! so every time here is good to a heartbeat. Rows may have been written
//! straight into the database by a hostile member: a span that is not well
//! formed is ignored, every span is clamped to the incident's life, and an
//! activity minute counts only inside its own session's span.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::incident::Milestones;
use super::presence::{PRESENCE_TIMEOUT, is_account_name, is_host_name, is_session_id, is_terminal_name};

/// Activity is kept per console and minute: enough to tell "attached" from
/// "active lately", never which keys.
pub const ACTIVITY_BUCKET_MS: i64 = 60_000;

/// "Active" in `:who`: typed or wrote within this long.
pub const RECENTLY_ACTIVE: TimeDelta = TimeDelta::minutes(5);

/// Said beside the figures (metrics, export, `:who`).
pub const ATTACHED_DEFINITION: &str = "time a console of the account had the incident open (union of its consoles' spans, from attach to goodbye or last heartbeat, within declared → resolved)";
pub const ACTIVE_DEFINITION: &str =
    "attached time within the minutes in which the account typed in a console or wrote an entry";

/// One console's continuous attachment to one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The console's run (a UUID).
    pub session: String,
    pub incident_id: i64,
    pub account: String,
    /// Empty for a console that did not say.
    pub host: String,
    pub terminal: String,
    pub attached_at: DateTime<Utc>,
    /// The last heartbeat, or the goodbye.
    pub last_seen_at: DateTime<Utc>,
    /// Whether the console said goodbye (else it vanished: killed, cut off,
    /// and left at its last heartbeat).
    pub said_goodbye: bool,
}

impl Span {
    /// Whether a console could have written the row (the presence rules:
    /// kernel terminal name, plausible account and host, UUID session) and
    /// its times are in order.
    pub fn is_well_formed(&self) -> bool {
        is_terminal_name(&self.terminal)
            && is_account_name(&self.account)
            && (self.host.is_empty() || is_host_name(&self.host))
            && is_session_id(&self.session)
            && self.attached_at <= self.last_seen_at
    }

    /// Still attached: beating, no goodbye.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        !self.said_goodbye && now - self.last_seen_at <= PRESENCE_TIMEOUT
    }
}

/// A minute in which a console was active (a key typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ActiveMinute {
    /// Milliseconds since the epoch / [`ACTIVITY_BUCKET_MS`].
    pub minute: i64,
}

/// When an incident can have had responders: from its declaration to its
/// resolution (else closure, else now). Time after resolution is follow-up,
/// not response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Life {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Life {
    pub fn of(milestones: &Milestones, now: DateTime<Utc>) -> Life {
        let from = milestones.declared_at;
        let to = milestones
            .resolved_at
            .or(milestones.closed_at)
            .unwrap_or(now)
            .max(from);
        Life { from, to }
    }

    fn ms(&self) -> (i64, i64) {
        (self.from.timestamp_millis(), self.to.timestamp_millis())
    }
}

/// What the store read about one incident's attendance: spans (any rows),
/// activity by session, and per account the entries written and the
/// minutes written in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendanceFacts {
    pub spans: Vec<Span>,
    /// (session, minute) rows as stored.
    pub activity: Vec<(String, i64)>,
    /// account → (entries written, minutes with an entry recorded).
    pub writes: BTreeMap<String, (u64, BTreeSet<i64>)>,
    /// Role tenures, from the role history.
    pub tenures: Vec<Tenure>,
}

/// One holding of a role: who, from when, until when (None: holds it now),
/// and the handoffs at either end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenure {
    /// The role's key (`ic`, `comms`).
    pub role: String,
    pub name: String,
    pub account: String,
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    /// Who handed it over (None: held from the declaration, or the role was vacant).
    pub handed_over_by: Option<String>,
    /// Who it was handed to.
    pub handed_over_to: Option<String>,
}

impl Tenure {
    pub fn is_commander(&self) -> bool {
        self.role == super::roles::COMMANDER
    }
}

/// A change of a role's holder, as the role history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChange {
    pub at: DateTime<Utc>,
    pub role: String,
    pub to: String,
}

/// Tenures from the declaration (the declarer commands) and the role
/// changes in the order they happened; `names` gives a role key its name.
pub fn tenures(
    declared_by: &str,
    declared_at: DateTime<Utc>,
    changes: &[RoleChange],
    name_of: impl Fn(&str) -> String,
) -> Vec<Tenure> {
    let mut all = vec![Tenure {
        role: super::roles::COMMANDER.into(),
        name: name_of(super::roles::COMMANDER),
        account: declared_by.into(),
        from: declared_at,
        to: None,
        handed_over_by: None,
        handed_over_to: None,
    }];
    for change in changes {
        let current = all.iter().rposition(|t| t.role == change.role && t.to.is_none());
        let previous = match current {
            // "Again": the holder keeps it.
            Some(i) if all[i].account == change.to => continue,
            Some(i) => {
                all[i].to = Some(change.at);
                all[i].handed_over_to = Some(change.to.clone());
                Some(all[i].account.clone())
            }
            None => None,
        };
        all.push(Tenure {
            role: change.role.clone(),
            name: name_of(&change.role),
            account: change.to.clone(),
            from: change.at,
            to: None,
            handed_over_by: previous,
            handed_over_to: None,
        });
    }
    all
}

/// One account's part in an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    pub account: String,
    /// The roles it held, in order.
    pub roles: Vec<Tenure>,
    /// Its first attach and last leave (None: never attached a console).
    pub first_joined: Option<DateTime<Utc>>,
    pub last_left: Option<DateTime<Utc>>,
    /// A console of the account is attached now.
    pub here_now: bool,
    /// Typed or wrote within [`RECENTLY_ACTIVE`].
    pub recently_active: bool,
    pub attached_secs: i64,
    pub active_secs: i64,
    pub entries_written: u64,
    /// Its consoles' spans, clamped to the incident's life, in order.
    pub sessions: Vec<Span>,
}

/// Everyone who took part in an incident, and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participants {
    pub people: Vec<Participant>,
    /// Accounts with a console attached now.
    pub here_now: usize,
    pub attached_secs: i64,
    pub active_secs: i64,
    /// Spans left out as not well formed (planted rows).
    pub ignored_rows: usize,
}

impl Participants {
    pub fn attached_hours(&self) -> f64 {
        self.attached_secs as f64 / 3600.0
    }

    pub fn active_hours(&self) -> f64 {
        self.active_secs as f64 / 3600.0
    }
}

/// Sorted, non-overlapping intervals (ms) covering `intervals`.
fn union(mut intervals: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    intervals.retain(|(a, b)| a < b);
    intervals.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::with_capacity(intervals.len());
    for (a, b) in intervals {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn total(intervals: &[(i64, i64)]) -> i64 {
    intervals.iter().map(|(a, b)| b - a).sum()
}

/// How much of `[a, b)` the sorted disjoint `intervals` cover.
fn covered(intervals: &[(i64, i64)], a: i64, b: i64) -> i64 {
    intervals.iter().map(|&(x, y)| (y.min(b) - x.max(a)).max(0)).sum()
}

/// A span cut to the incident's life; None when nothing of it is left.
fn clamp(span: &Span, life: &Life) -> Option<Span> {
    let attached_at = span.attached_at.max(life.from);
    let last_seen_at = span.last_seen_at.min(life.to);
    (attached_at < last_seen_at).then(|| Span {
        attached_at,
        last_seen_at,
        ..span.clone()
    })
}

fn to_time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Everyone who took part: whoever attached a console, wrote an entry or
/// held a role, with their time attached and active.
pub fn participants(facts: &AttendanceFacts, life: &Life, now: DateTime<Utc>) -> Participants {
    let (life_from, life_to) = life.ms();
    let well_formed: Vec<&Span> = facts.spans.iter().filter(|s| s.is_well_formed()).collect();
    let ignored_rows = facts.spans.len() - well_formed.len();
    // Activity counts only inside its own session's (unclamped) span.
    let mut active_minutes: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    for (session, minute) in &facts.activity {
        let owner = well_formed.iter().find(|s| {
            &s.session == session
                && minute * ACTIVITY_BUCKET_MS < s.last_seen_at.timestamp_millis() + ACTIVITY_BUCKET_MS
                && (minute + 1) * ACTIVITY_BUCKET_MS > s.attached_at.timestamp_millis()
        });
        if let Some(span) = owner {
            active_minutes
                .entry(span.account.as_str())
                .or_default()
                .insert(*minute);
        }
    }
    let mut accounts: BTreeSet<&str> = well_formed.iter().map(|s| s.account.as_str()).collect();
    accounts.extend(facts.writes.keys().map(String::as_str));
    accounts.extend(facts.tenures.iter().map(|t| t.account.as_str()));

    let recent_minute = (now - RECENTLY_ACTIVE)
        .timestamp_millis()
        .div_euclid(ACTIVITY_BUCKET_MS);
    let mut people = Vec::new();
    for account in accounts {
        let mut sessions: Vec<Span> = well_formed
            .iter()
            .filter(|s| s.account == account)
            .filter_map(|s| clamp(s, life))
            .collect();
        sessions.sort_by(|a, b| (a.attached_at, &a.session).cmp(&(b.attached_at, &b.session)));
        let attached = union(
            sessions
                .iter()
                .map(|s| {
                    (
                        s.attached_at.timestamp_millis(),
                        s.last_seen_at.timestamp_millis(),
                    )
                })
                .collect(),
        );
        let (entries_written, write_minutes) = facts
            .writes
            .get(account)
            .map(|(count, minutes)| (*count, minutes.clone()))
            .unwrap_or_default();
        let mut minutes = write_minutes;
        if let Some(typed) = active_minutes.get(account) {
            minutes.extend(typed);
        }
        let active_secs = minutes
            .iter()
            .map(|m| {
                let from = (m * ACTIVITY_BUCKET_MS).max(life_from);
                let to = ((m + 1) * ACTIVITY_BUCKET_MS).min(life_to);
                covered(&attached, from, to)
            })
            .sum::<i64>()
            / 1000;
        let here_now = well_formed.iter().any(|s| s.account == account && s.is_live(now));
        people.push(Participant {
            account: account.to_string(),
            roles: facts
                .tenures
                .iter()
                .filter(|t| t.account == account)
                .cloned()
                .collect(),
            first_joined: attached.first().map(|(a, _)| to_time(*a)),
            last_left: attached.last().map(|(_, b)| to_time(*b)),
            here_now,
            recently_active: minutes.range(recent_minute..).next().is_some(),
            attached_secs: total(&attached) / 1000,
            active_secs,
            entries_written,
            sessions,
        });
    }
    // Those who were there first come first; then those who never attached.
    people.sort_by(|a, b| {
        (a.first_joined.is_none(), a.first_joined, &a.account).cmp(&(
            b.first_joined.is_none(),
            b.first_joined,
            &b.account,
        ))
    });
    Participants {
        here_now: people.iter().filter(|p| p.here_now).count(),
        attached_secs: people.iter().map(|p| p.attached_secs).sum(),
        active_secs: people.iter().map(|p| p.active_secs).sum(),
        people,
        ignored_rows,
    }
}

/// The `[cost]` of the config: an hourly rate and per-role weights.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CostConfig {
    /// Per responder-hour (attached) of weight 1; no rate, no cost.
    pub hourly_rate: Option<f64>,
    /// Printed beside the figure (`EUR`, `$`); not converted.
    #[serde(default)]
    pub currency: String,
    /// Role key (`ic`, `comms`, a runbook role's key) → weight; an hour
    /// without a listed role weighs 1.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

/// How the estimated cost is computed, printed beside it.
pub const COST_FORMULA: &str = "estimated cost = hourly_rate × Σ over accounts of attached hours × weight, the weight of an hour being the highest [cost.weights] entry among the roles the account held then (1 without one)";

impl CostConfig {
    /// Refuses a rate or weight that is negative or not a number, and a
    /// currency that is not a short plain word, naming the key.
    pub fn check(&self) -> Result<(), String> {
        if let Some(rate) = self.hourly_rate
            && !(rate.is_finite() && rate >= 0.0)
        {
            return Err(format!("[cost] hourly_rate must be a number ≥ 0, not {rate}"));
        }
        for (role, weight) in &self.weights {
            if role.is_empty() || role.chars().count() > 32 || role.chars().any(|c| c.is_control()) {
                return Err(format!("[cost.weights] {role:?} is not a role key"));
            }
            if !(weight.is_finite() && *weight >= 0.0) {
                return Err(format!(
                    "[cost.weights] {role} must be a number ≥ 0, not {weight}"
                ));
            }
        }
        if self.currency.chars().count() > 8 || self.currency.chars().any(|c| c.is_control()) {
            return Err(format!(
                "[cost] currency must be at most 8 printable characters, not {:?}",
                self.currency
            ));
        }
        Ok(())
    }

    /// The estimated cost of an incident's participants; None without a rate.
    pub fn estimate(&self, participants: &Participants, life: &Life) -> Option<f64> {
        let rate = self.hourly_rate?;
        let weighted_ms: f64 = participants
            .people
            .iter()
            .map(|p| self.weighted_ms(p, life))
            .sum();
        Some(rate * weighted_ms / 3_600_000.0)
    }

    /// An account's attached milliseconds, each weighed by the roles held then.
    fn weighted_ms(&self, person: &Participant, life: &Life) -> f64 {
        let attached = union(
            person
                .sessions
                .iter()
                .map(|s| {
                    (
                        s.attached_at.timestamp_millis(),
                        s.last_seen_at.timestamp_millis(),
                    )
                })
                .collect(),
        );
        let (_, life_to) = life.ms();
        let held: Vec<(i64, i64, f64)> = person
            .roles
            .iter()
            .filter_map(|t| {
                let weight = *self.weights.get(&t.role)?;
                let to = t.to.map_or(life_to, |to| to.timestamp_millis());
                Some((t.from.timestamp_millis(), to, weight))
            })
            .collect();
        // Cut the attached time where a weighted tenure starts or ends; each
        // piece weighs the most of the tenures covering it.
        let mut cuts: Vec<i64> = attached.iter().flat_map(|&(a, b)| [a, b]).collect();
        cuts.extend(held.iter().flat_map(|&(a, b, _)| [a, b]));
        cuts.sort_unstable();
        cuts.dedup();
        cuts.windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                let weight = held
                    .iter()
                    .filter(|(x, y, _)| *x <= a && b <= *y)
                    .map(|(_, _, weight)| *weight)
                    .fold(None, |best: Option<f64>, w| Some(best.map_or(w, |b| b.max(w))))
                    .unwrap_or(1.0);
                covered(&attached, a, b) as f64 * weight
            })
            .sum()
    }
}

/// `1h 05m` or `4m 30s`, as the metrics write durations.
pub fn format_secs(secs: i64) -> String {
    super::metrics::format_duration_secs(secs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    const SESSION_A: &str = "0b7f4c2e-6a51-4d0e-9d3c-2f1a8b9e7c10";
    const SESSION_B: &str = "1b7f4c2e-6a51-4d0e-9d3c-2f1a8b9e7c11";
    const SESSION_C: &str = "2b7f4c2e-6a51-4d0e-9d3c-2f1a8b9e7c12";

    fn span(session: &str, account: &str, from: i64, to: i64, goodbye: bool) -> Span {
        Span {
            session: session.into(),
            incident_id: 1,
            account: account.into(),
            host: "bastion-1".into(),
            terminal: "pts/1".into(),
            attached_at: at(from),
            last_seen_at: at(to),
            said_goodbye: goodbye,
        }
    }

    fn life(from: i64, to: i64) -> Life {
        Life {
            from: at(from),
            to: at(to),
        }
    }

    fn minute_of(secs: i64) -> i64 {
        at(secs).timestamp_millis().div_euclid(ACTIVITY_BUCKET_MS)
    }

    #[test]
    fn two_consoles_of_one_account_count_once() {
        let facts = AttendanceFacts {
            spans: vec![
                span(SESSION_A, "alice", 0, 600, true),
                // Overlaps the first for 300 s, then 300 s more.
                span(SESSION_B, "alice", 300, 900, false),
                span(SESSION_C, "bob", 100, 200, false),
            ],
            ..Default::default()
        };
        let p = participants(&facts, &life(-10, 10_000), at(10_000));
        assert_eq!(p.people.len(), 2);
        let alice = &p.people[0];
        assert_eq!(alice.account, "alice");
        assert_eq!(alice.attached_secs, 900);
        assert_eq!(
            (alice.first_joined, alice.last_left),
            (Some(at(0)), Some(at(900)))
        );
        assert_eq!(p.people[1].attached_secs, 100);
        assert_eq!(p.attached_secs, 1000);
        assert_eq!(p.here_now, 0);
    }

    #[test]
    fn spans_are_cut_to_the_incidents_life_and_planted_rows_ignored() {
        let mut forged = span(SESSION_C, "mallory pts/9", 0, 100, false);
        forged.terminal = "pts/1".into();
        let mut backwards = span(SESSION_B, "bob", 500, 100, false);
        backwards.account = "bob".into();
        let facts = AttendanceFacts {
            spans: vec![span(SESSION_A, "alice", -1000, 5000, false), forged, backwards],
            ..Default::default()
        };
        let p = participants(&facts, &life(0, 3600), at(4000));
        assert_eq!(p.ignored_rows, 2);
        assert_eq!(p.people.len(), 1);
        assert_eq!(p.people[0].attached_secs, 3600);
        assert_eq!(p.people[0].first_joined, Some(at(0)));
        assert_eq!(p.people[0].last_left, Some(at(3600)));
    }

    #[test]
    fn active_time_is_attached_time_in_active_minutes() {
        // Attached 30 s into a minute for 90 s: the minute typed in (its
        // last 30 s) and the next (its first 60 s, written in).
        let start = 10; // 1_700_000_010 is 30 s into a minute
        let facts = AttendanceFacts {
            spans: vec![span(SESSION_A, "alice", start, start + 90, true)],
            activity: vec![
                (SESSION_A.into(), minute_of(start)),
                // Another session's minute and one far outside: ignored.
                (SESSION_B.into(), minute_of(start)),
                (SESSION_A.into(), minute_of(start + 3600)),
            ],
            writes: BTreeMap::from([("alice".to_string(), (3, BTreeSet::from([minute_of(start + 60)])))]),
            ..Default::default()
        };
        let p = participants(&facts, &life(0, 100_000), at(100_000));
        let alice = &p.people[0];
        assert_eq!(alice.attached_secs, 90);
        assert_eq!(alice.active_secs, 90);
        assert_eq!(alice.entries_written, 3);
        // Only typed: the first 30 s.
        let typed_only = AttendanceFacts {
            writes: BTreeMap::new(),
            ..facts.clone()
        };
        assert_eq!(
            participants(&typed_only, &life(0, 100_000), at(100_000)).people[0].active_secs,
            30
        );
    }

    #[test]
    fn writers_and_role_holders_without_a_console_are_participants() {
        let changes = [
            RoleChange {
                at: at(100),
                role: "ic".into(),
                to: "bob".into(),
            },
            RoleChange {
                at: at(150),
                role: "comms".into(),
                to: "carol".into(),
            },
            RoleChange {
                at: at(200),
                role: "ic".into(),
                to: "bob".into(),
            },
        ];
        let tenures = tenures("alice", at(0), &changes, |key| key.to_uppercase());
        assert_eq!(tenures.len(), 3);
        assert_eq!(tenures[0].to, Some(at(100)));
        assert_eq!(tenures[0].handed_over_to.as_deref(), Some("bob"));
        assert_eq!(tenures[1].handed_over_by.as_deref(), Some("alice"));
        assert_eq!(tenures[1].to, None, "bob again keeps it");
        assert_eq!(tenures[2].handed_over_by, None, "comms was vacant");
        let facts = AttendanceFacts {
            tenures,
            writes: BTreeMap::from([("dave".to_string(), (2, BTreeSet::new()))]),
            ..Default::default()
        };
        let p = participants(&facts, &life(0, 1000), at(1000));
        let names: Vec<&str> = p.people.iter().map(|p| p.account.as_str()).collect();
        assert_eq!(names, ["alice", "bob", "carol", "dave"]);
        assert!(
            p.people
                .iter()
                .all(|p| p.attached_secs == 0 && p.first_joined.is_none())
        );
    }

    #[test]
    fn cost_weighs_each_hour_by_the_role_held_then() {
        let tenures = tenures(
            "alice",
            at(0),
            &[RoleChange {
                at: at(3600),
                role: "ic".into(),
                to: "bob".into(),
            }],
            str::to_string,
        );
        let facts = AttendanceFacts {
            spans: vec![
                span(SESSION_A, "alice", 0, 7200, true),
                span(SESSION_B, "bob", 1800, 7200, true),
            ],
            tenures,
            ..Default::default()
        };
        let life = life(0, 7200);
        let p = participants(&facts, &life, at(7200));
        assert_eq!(p.attached_secs, 7200 + 5400);
        let cost = CostConfig {
            hourly_rate: Some(100.0),
            currency: "EUR".into(),
            weights: BTreeMap::from([("ic".to_string(), 2.0)]),
        };
        // alice: 1 h as IC (×2) + 1 h without; bob: 0.5 h without + 1 h as IC (×2).
        let expected = 100.0 * (2.0 + 1.0 + 0.5 + 2.0);
        assert!((cost.estimate(&p, &life).unwrap() - expected).abs() < 1e-9);
        assert_eq!(CostConfig::default().estimate(&p, &life), None);
    }

    #[test]
    fn bad_cost_settings_are_refused_by_name() {
        let bad_rate = CostConfig {
            hourly_rate: Some(-1.0),
            ..Default::default()
        };
        assert!(bad_rate.check().unwrap_err().contains("hourly_rate"));
        let bad_weight = CostConfig {
            weights: BTreeMap::from([("ic".to_string(), f64::NAN)]),
            ..Default::default()
        };
        assert!(bad_weight.check().unwrap_err().contains("ic"));
        let bad_currency = CostConfig {
            currency: "\x1b[31mEUR".into(),
            ..Default::default()
        };
        assert!(bad_currency.check().is_err());
        assert!(CostConfig::default().check().is_ok());
    }

    #[test]
    fn a_live_console_is_here_and_a_quiet_one_goes() {
        let facts = AttendanceFacts {
            spans: vec![
                span(SESSION_A, "alice", 0, 100, false),
                span(SESSION_B, "bob", 0, 100, true),
            ],
            activity: vec![(SESSION_A.into(), minute_of(90))],
            ..Default::default()
        };
        let p = participants(&facts, &life(0, 1000), at(102));
        assert_eq!(p.here_now, 1, "bob said goodbye");
        assert!(p.people[0].recently_active);
        let later = participants(&facts, &life(0, 1000), at(100 + 7));
        assert_eq!(later.here_now, 0, "alice stopped beating");
        let much_later = participants(&facts, &life(0, 1000), at(1000));
        assert!(!much_later.people[0].recently_active);
    }
}
