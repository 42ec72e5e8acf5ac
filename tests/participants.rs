//! Who was there (issue #18): attendance kept from the consoles' presence
//! heartbeats, on both engines. Two real consoles of two throwaway accounts
//! attached for measured spans (one killed with SIGKILL, one quitting), then
//! the export's Participants (Markdown and JSON) and `metrics --json` read
//! against those spans; heartbeats driven through the store for exact
//! figures (gaps, activity minutes, the estimated cost); planted rows.

mod common;

use common::succeeded;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use common::accounts::{Account, TempGroup, shared_room, skipped_unless_root};
use common::engines::Engine;
use common::pty::{Console, WAIT};
use common::{BIN, ok, warroom};
use warroom::domain::presence::Presence;

/// A console lists another within a few heartbeats (2 s each), on a loaded
/// machine with a debug build.
const PRESENCE_WAIT: Duration = Duration::from_secs(20);
/// How late a heartbeat may be: one every 2 s, plus a slow worker round.
const BEAT_SLACK: TimeDelta = TimeDelta::milliseconds(3_000);

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .unwrap_or_else(|| panic!("an RFC 3339 time: {value}"))
        .with_timezone(&Utc)
}

fn secs(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("a number of seconds: {value}"))
}

/// The participant `account` of an export's JSON.
fn person<'a>(export: &'a Value, account: &str) -> &'a Value {
    export["participants"]["people"]
        .as_array()
        .expect("participants.people")
        .iter()
        .find(|p| p["account"] == account)
        .unwrap_or_else(|| panic!("{account} among the participants: {:#}", export["participants"]))
}

/// `warroom --db DB` as `account` in a 120×40 pty, with its own XDG folders.
fn console_as(account: &Account, db: &Path) -> Console {
    let mut argv = account.setpriv_args();
    argv.extend([BIN.to_string(), "--db".into(), db.display().to_string()]);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let home = account.home.display().to_string();
    let mut env: Vec<(String, String)> = account
        .environment()
        .into_iter()
        .map(|(key, value)| (key.to_string(), value))
        .collect();
    for (key, folder) in [
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
    ] {
        env.push((key.into(), format!("{home}/{folder}")));
    }
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Console::spawn_program("setpriv", &argv, &account.home, 120, 40, &env)
}

/// Waits until `console`'s "Here now" line names every one of `accounts`.
fn wait_listed(console: &Console, accounts: &[&str]) {
    console.wait_until_within(PRESENCE_WAIT, "everyone on the Here now line", |_| {
        console
            .here_now()
            .is_some_and(|here| accounts.iter().all(|a| here.iter().any(|p| p.account == *a)))
    });
}

/// Asserts `at` lies within `[from, to]` (stored to the millisecond),
/// saying what it is.
fn within(what: &str, at: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) {
    let ms = TimeDelta::milliseconds(1);
    assert!(
        from - ms <= at && at <= to + ms,
        "{what}: {at} is not within {from} … {to}"
    );
}

on_both_engines! {
    /// alice attaches, bob attaches; alice writes a note; bob is killed
    /// with SIGKILL (no goodbye); alice quits. The export and the metrics
    /// give each the span measured around those moments, to the heartbeat.
    fn two_consoles_of_two_accounts_are_kept_to_the_heartbeat(db: &Db) {
        if skipped_unless_root("two_consoles_of_two_accounts_are_kept_to_the_heartbeat") {
            return;
        }
        let dir = common::temp_dir();
        let group = TempGroup::new("pg");
        let alice = Account::new("pa", &[&group]);
        let bob = Account::new("pb", &[&group]);
        let path = match db.engine {
            Engine::Sqlite => shared_room(dir.path(), &group).1,
            Engine::Postgres => db.path().to_path_buf(),
        };
        let id = ok(&path, &["declare", "--severity", "P1", "Checkout down"]).trim().to_string();

        let alice_spawned = Utc::now();
        let mut alice_console = console_as(&alice, &path);
        wait_listed(&alice_console, &[&alice.name]);
        let alice_seen = Utc::now();
        let bob_spawned = Utc::now();
        let mut bob_console = console_as(&bob, &path);
        wait_listed(&bob_console, &[&alice.name, &bob.name]);
        let bob_seen = Utc::now();
        wait_listed(&alice_console, &[&alice.name, &bob.name]);

        // The incident pane counts them; `:who` lists them.
        alice_console.wait_for("2 here · responder-hours");
        alice_console.send(":who\r");
        alice_console.wait_for("Who has been here");
        alice_console.wait_until_within(WAIT, "both in :who, here now", |screen| {
            [&alice.name, &bob.name]
                .iter()
                .all(|name| screen.contains(&format!("{name} · here now")))
        });
        alice_console.send_esc();
        alice_console.wait_gone("Who has been here");

        // alice types (an active minute) and writes an entry; bob only watches.
        alice_console.send(":note rollback started\r");
        alice_console.wait_for("rollback started");
        std::thread::sleep(Duration::from_secs(6));

        let bob_killed = Utc::now();
        bob_console.kill_9();
        // Gone from alice's screen once his heartbeats are 6 s old.
        alice_console.wait_until_within(PRESENCE_WAIT, "bob gone from Here now", |_| {
            alice_console
                .here_now()
                .is_some_and(|here| !here.iter().any(|p| p.account == bob.name))
        });
        let alice_quit = Utc::now();
        alice_console.send("q");
        alice_console.wait_exit(WAIT);
        let alice_gone = Utc::now();

        let export = json(&ok(&path, &["export", &id, "--format", "json"]));
        let (a, b) = (person(&export, &alice.name), person(&export, &bob.name));

        // alice: from her console's start to her goodbye.
        within("alice joined", time(&a["first_joined"]), alice_spawned, alice_seen);
        within("alice left", time(&a["last_left"]), alice_quit, alice_gone);
        let alice_span = secs(&a["attached_secs"]);
        assert!(
            (alice_quit - alice_seen).num_seconds() - 1 <= alice_span
                && alice_span <= (alice_gone - alice_spawned).num_seconds() + 1,
            "alice attached {alice_span} s: {a:#}"
        );
        assert_eq!(a["sessions"][0]["said_goodbye"], true, "{a:#}");
        assert!(secs(&a["active_secs"]) > 0 && secs(&a["active_secs"]) <= alice_span, "{a:#}");
        assert_eq!(a["entries_written"], 1, "her note");

        // bob: from his console's start to his last heartbeat before the kill.
        within("bob joined", time(&b["first_joined"]), bob_spawned, bob_seen);
        within("bob left", time(&b["last_left"]), bob_killed - BEAT_SLACK, bob_killed);
        let bob_span = secs(&b["attached_secs"]);
        assert!(
            (bob_killed - BEAT_SLACK - bob_seen).num_seconds() - 1 <= bob_span
                && bob_span <= (bob_killed - bob_spawned).num_seconds() + 1,
            "bob attached {bob_span} s: {b:#}"
        );
        assert_eq!(b["sessions"][0]["said_goodbye"], false, "{b:#}");
        assert_eq!(b["active_secs"], 0, "bob typed nothing: {b:#}");
        assert_eq!(b["entries_written"], 0);
        for p in [a, b] {
            assert_eq!(p["here_now"], false, "{p:#}");
        }
        // The declarer (root) commanded without a console.
        let root = person(&export, &common::pty::account());
        assert_eq!(root["roles"][0]["role"], "ic");
        assert_eq!(root["attached_secs"], 0);
        assert_eq!(
            secs(&export["participants"]["attached_secs"]),
            alice_span + bob_span
        );

        let markdown = ok(&path, &["export", &id]);
        let section = markdown
            .split("## Participants")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("a Participants section");
        for needle in [
            format!("| {} |", alice.name),
            format!("| {} |", bob.name),
            ", left".to_string(),
            ", vanished (last heartbeat)".to_string(),
            "Incident Commander".to_string(),
        ] {
            assert!(section.contains(&needle), "{needle:?} in:\n{section}");
        }

        let metrics = json(&ok(&path, &["metrics", "--json"]));
        let hours = &metrics["responder_hours"];
        let incident = &hours["incidents"][0];
        assert_eq!(incident["id"].to_string(), id);
        assert_eq!(incident["responders"], 2);
        let attached_hours = incident["attached_hours"].as_f64().expect("attached_hours");
        assert!(
            (attached_hours * 3600.0 - (alice_span + bob_span) as f64).abs() <= 2.0,
            "{attached_hours} h against {alice_span} s + {bob_span} s"
        );
        assert_eq!(hours["by_severity"][0]["severity"], "P1");
        assert_eq!(hours["by_severity"][0]["attached_hours"]["count"], 1);
        assert_eq!(hours["attached_hours"]["median"], incident["attached_hours"]);
    }
}

/// A presence of `account` on `incident`, seen at `seen_at`.
fn beat_of(
    session: &str,
    account: &str,
    incident: i64,
    since: DateTime<Utc>,
    seen_at: DateTime<Utc>,
) -> Presence {
    Presence {
        session: session.into(),
        account: account.into(),
        terminal: "pts/4".into(),
        host: "bastion-1".into(),
        incident_id: Some(incident),
        since,
        seen_at,
    }
}

const CAROL: &str = "6f1c1f2e-2b0e-4a51-9d2c-1f0a8b9e7c01";
const DAVE: &str = "6f1c1f2e-2b0e-4a51-9d2c-1f0a8b9e7c02";

on_both_engines! {
    /// Heartbeats through the store, at the real time (the server stamps
    /// them on PostgreSQL): a span per stretch without a gap, active time
    /// only in the minute keys were typed in, a handoff weighing the cost,
    /// and the goodbye closing the span.
    fn heartbeats_make_spans_activity_and_a_weighted_cost(db: &Db) {
        let id = ok(db.path(), &["declare", "--severity", "P2", "Cache cluster degraded"]).trim().to_string();
        let incident: i64 = id.parse().unwrap();
        // carol is no account here: said on stderr, and recorded.
        succeeded(&warroom(db.path()).args(["role", "ic", "carol"]).output().unwrap(), "role");
        let mut store = db.open();
        // Beats now, then waits a little; the time of the beat.
        let beat = |store: &mut warroom::store::Store, session: &str, account: &str, since, active| {
            let now = Utc::now();
            store
                .heartbeat_with_activity(&beat_of(session, account, incident, since, now), active)
                .unwrap();
            std::thread::sleep(Duration::from_millis(250));
            now
        };
        // carol: ~3 s (keys typed once), a gap past the presence timeout,
        // then ~1 s and a goodbye; dave: ~2 s, then vanishes.
        let carol_since = Utc::now();
        let dave_since = Utc::now();
        let mut first_stretch_end = carol_since;
        for n in 0..=12 {
            first_stretch_end = beat(&mut store, CAROL, "carol", carol_since, n == 6);
            if n <= 8 {
                beat(&mut store, DAVE, "dave", dave_since, false);
            }
        }
        std::thread::sleep(Duration::from_secs(7));
        let second_stretch_start = beat(&mut store, CAROL, "carol", carol_since, false);
        for _ in 0..4 {
            beat(&mut store, CAROL, "carol", carol_since, false);
        }
        let goodbye_from = Utc::now();
        store.leave(CAROL).unwrap();
        let goodbye_to = Utc::now();

        let people = store.participants(incident, Utc::now()).unwrap();
        let carol = people.people.iter().find(|p| p.account == "carol").expect("carol");
        let dave = people.people.iter().find(|p| p.account == "dave").expect("dave");
        assert_eq!(carol.sessions.len(), 2, "a gap longer than the timeout starts a new span: {carol:#?}");
        assert!(!carol.sessions[0].said_goodbye && carol.sessions[1].said_goodbye, "{carol:#?}");
        // From the console's start to its last beat before the gap; from the
        // first beat after it to the goodbye. (PostgreSQL stamps with the
        // server's clock, a few ms from this one.)
        let skew = TimeDelta::milliseconds(50);
        let (first, second) = (&carol.sessions[0], &carol.sessions[1]);
        within("carol attached", first.attached_at, carol_since - skew, carol_since + skew);
        within("carol's last beat", first.last_seen_at, first_stretch_end - skew, first_stretch_end + skew);
        within("carol back", second.attached_at, second_stretch_start - skew, second_stretch_start + skew);
        within("carol's goodbye", second.last_seen_at, goodbye_from - skew, goodbye_to + skew);
        let spans_ms = (first.last_seen_at - first.attached_at) + (second.last_seen_at - second.attached_at);
        assert_eq!(carol.attached_secs, spans_ms.num_seconds(), "{carol:#?}");
        assert!((3..=6).contains(&dave.attached_secs), "{dave:#?}");
        // Typed in one minute: at most that minute of her attached time.
        assert!((1..=carol.attached_secs.min(60)).contains(&carol.active_secs), "{carol:#?}");
        assert_eq!(dave.active_secs, 0, "dave typed nothing");
        assert!(carol.roles.iter().any(|t| t.role == "ic" && t.handed_over_by.is_some()));
        assert!(!people.people.iter().any(|p| p.here_now));

        // The cost: carol commands (weight 2) all her time, dave weighs 1;
        // 3600 an hour is 1 a second.
        let config = common::temp_dir();
        std::fs::create_dir_all(config.path().join("warroom")).unwrap();
        std::fs::write(
            config.path().join("warroom/config.toml"),
            "[cost]\nhourly_rate = 3600\ncurrency = \"EUR\"\nweights = { ic = 2 }\n",
        )
        .unwrap();
        let metrics = |json: bool| {
            let mut cmd = warroom(db.path());
            cmd.arg("metrics").env("XDG_CONFIG_HOME", config.path());
            if json {
                cmd.arg("--json");
            }
            succeeded(&cmd.output().unwrap(), "metrics")
        };
        let report = json(&metrics(true));
        let cost = &report["responder_hours"]["cost"];
        let estimated = cost["total"].as_f64().expect("a total");
        let expected = (2 * carol.attached_secs + dave.attached_secs) as f64;
        assert!((estimated - expected).abs() <= 3.0, "{estimated} against {expected}: {cost:#}");
        assert_eq!(cost["currency"], "EUR");
        let text = metrics(false);
        assert!(text.contains("Estimated cost") && text.contains("estimated cost = hourly_rate ×"), "{text}");
        assert!(text.contains("Responder-hours attached") && text.contains("  P2: mean"), "{text}");
    }
}

on_both_engines! {
    /// Rows written straight into the tables by a member: malformed ones
    /// are left out and counted, a span reaching back before the
    /// declaration is cut to it, activity outside its session's span counts
    /// for nothing, and nothing planted reaches the export raw.
    fn planted_attendance_rows_are_checked_on_reading(db: &Db) {
        let id = ok(db.path(), &["declare", "--severity", "P3", "Typo on the status page"]).trim().to_string();
        let declared = time(&common::show_json(db.path(), &id)["declared_at"]).timestamp_millis();
        let table = |name: &str| match db.engine {
            Engine::Sqlite => name.to_string(),
            Engine::Postgres => format!("warroom.{name}"),
        };
        let hour = 3_600_000;
        // An account name carrying a terminal escape, as each engine spells it.
        let hostile = match db.engine {
            Engine::Sqlite => "char(27) || ']0;pwned' || char(7)",
            Engine::Postgres => "E'\\x1b]0;pwned\\x07'",
        };
        let erin = "7f1c1f2e-2b0e-4a51-9d2c-1f0a8b9e7c03";
        db.superuser_batch(&format!(
            "INSERT INTO {attendance} (incident_id, session, attached_at, account, host, terminal, last_seen_at, said_goodbye) VALUES
               ({id}, 'not-a-session', {declared}, 'mallory', 'h', 'pts/1', {declared} + 1000, 0),
               ({id}, '{CAROL}', {declared}, {hostile}, 'h', 'pts/1', {declared} + 1000, 0),
               ({id}, '{DAVE}', {declared} + 5000, 'dave', 'h', 'pts/1', {declared}, 0),
               ({id}, '{erin}', {declared} - 10 * {hour}, 'erin', 'h', 'pts/2', {declared} + 2000, 1);
             INSERT INTO {activity} (incident_id, session, minute) VALUES
               ({id}, '{erin}', {declared} / 60000 + 500),
               ({id}, '{CAROL}', {declared} / 60000);",
            attendance = table("attendance"),
            activity = table("attendance_activity"),
        ));
        // The incident is open: its life runs to now, past erin's leaving.
        std::thread::sleep(Duration::from_millis(2500));
        let export = json(&ok(db.path(), &["export", &id, "--format", "json"]));
        let participants = &export["participants"];
        assert_eq!(participants["ignored_rows"], 3, "{participants:#}");
        let erin = person(&export, "erin");
        assert_eq!(erin["attached_secs"], 2, "cut to the declaration: {erin:#}");
        assert_eq!(time(&erin["first_joined"]).timestamp_millis(), declared);
        assert_eq!(erin["active_secs"], 0, "a minute outside its span");
        let accounts: Vec<&str> = participants["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["account"].as_str().unwrap())
            .collect();
        assert!(!accounts.contains(&"mallory") && !accounts.contains(&"dave"), "{accounts:?}");
        let markdown = ok(db.path(), &["export", &id]);
        assert!(!markdown.contains('\x1b') && !markdown.contains("pwned"), "{markdown}");
        assert!(markdown.contains("3 attendance row(s) ignored"), "{markdown}");
        let metrics = json(&ok(db.path(), &["metrics", "--json"]));
        assert_eq!(metrics["responder_hours"]["incidents"][0]["responders"], 1);
    }
}

on_both_engines! {
    /// A drill's people are kept like anyone's (its post-mortem lists
    /// them), but its hours are practice: `metrics` leaves the drill out of
    /// the responder-hours with every other figure, listed as excluded.
    fn a_drills_responder_hours_are_left_out_of_the_metrics(db: &Db) {
        let real: i64 = ok(db.path(), &["declare", "--severity", "P2", "Cache cluster degraded"]).trim().parse().unwrap();
        let drill: i64 = ok(db.path(), &["declare", "--drill", "--severity", "P2", "Game day: lose a replica"])
            .trim()
            .parse()
            .unwrap();
        let mut store = db.open();
        let since = Utc::now();
        for _ in 0..6 {
            let now = Utc::now();
            for (session, incident) in [(CAROL, real), (DAVE, drill)] {
                let account = if incident == real { "carol" } else { "dave" };
                store
                    .heartbeat_with_activity(&beat_of(session, account, incident, since, now), true)
                    .unwrap();
            }
            std::thread::sleep(Duration::from_millis(400));
        }
        let drill_export = json(&ok(db.path(), &["export", &drill.to_string(), "--format", "json"]));
        assert!(secs(&person(&drill_export, "dave")["attached_secs"]) >= 1, "a drill's people are kept");

        let metrics = json(&ok(db.path(), &["metrics", "--json"]));
        let measured: Vec<i64> = metrics["responder_hours"]["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(measured, [real], "only the real incident's hours: {metrics:#}");
        assert!(
            metrics["excluded"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == drill && e["reason"] == "drill"),
            "{metrics:#}"
        );
    }
}
