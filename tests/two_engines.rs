//! The same war room on either engine, through the real binary.

mod common;

use common::{note_texts, ok, show_json};

on_both_engines! {
    fn declare_note_check_and_show(db: &Db) {
        assert_eq!(ok(db.path(), &["declare", "Checkout errors", "--severity", "P1"]).trim(), "1");
        ok(db.path(), &["note", "rolled back 4.2.1"]);
        ok(db.path(), &["check", "1.1"]);
        let shown = show_json(db.path(), "1");
        assert_eq!(shown["severity"], "P1", "{shown}");
        assert_eq!(shown["checklist"][0]["state"], "done", "{shown}");
        assert_eq!(note_texts(db.path(), "1"), ["rolled back 4.2.1"]);
        let verified = ok(db.path(), &["verify"]);
        assert!(verified.contains("intact"), "{verified}");
    }
}

/// On a server shared by several hosts, presence is stamped and aged by the
/// server's clock: a console on a host whose clock is a minute slow is
/// still shown as here, with its time in the reader's clock.
#[test]
fn presence_ages_come_from_the_servers_clock() {
    use chrono::{TimeDelta, Utc};
    use common::engines::{Db, Engine};
    use warroom::domain::presence::Presence;

    let Some(db) = Db::new(Engine::Postgres, "presence_ages_come_from_the_servers_clock") else {
        return;
    };
    let mut store = db.open();
    let slow = Utc::now() - TimeDelta::seconds(60);
    let me = Presence {
        session: uuid::Uuid::new_v4().to_string(),
        account: "alice".into(),
        terminal: "pts/3".into(),
        host: "slow-clock".into(),
        incident_id: None,
        since: slow,
        seen_at: slow,
    };
    store.heartbeat(&me).unwrap();
    let now = Utc::now();
    let seen = store.presence(now).unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].host, "slow-clock");
    let age = now - seen[0].seen_at;
    assert!(
        age.abs() < TimeDelta::seconds(5),
        "seen {age} ago by the reader's clock"
    );
    assert!(seen[0].is_live(now));
}
