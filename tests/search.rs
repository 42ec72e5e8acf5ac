//! Search by index (`/` in the console) on both engines: what matches, the
//! count, pages newest first, queries that are syntax in either engine's
//! query language, rows planted in the SQLite index, and a database from
//! before the index.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::engines::{Db, Engine};
use common::pty::Console;
use warroom::domain::{EntryKind, Milestones, Severity, TimelineEntry};
use warroom::store::{EntryKey, NewEntry, NewIncident, SearchQuery, Store};

/// One declaration time for the whole test binary, so entries' times are
/// exact offsets from it.
fn declared() -> DateTime<Utc> {
    static AT: std::sync::OnceLock<DateTime<Utc>> = std::sync::OnceLock::new();
    *AT.get_or_init(|| {
        let two_hours_ago = (Utc::now() - TimeDelta::hours(2)).timestamp();
        DateTime::from_timestamp(two_hours_ago, 0).unwrap()
    })
}

fn declare(store: &mut Store, title: &str) -> i64 {
    store
        .declare(&NewIncident::with_default_runbook(
            uuid::Uuid::new_v4().to_string(),
            title,
            Severity::P1,
            Milestones::new(declared()),
            "alice",
        ))
        .unwrap()
}

/// Notes that happened `seconds` after the declaration, in the order given.
fn add(store: &mut Store, incident: i64, notes: &[(i64, &str, &str)]) {
    let entries: Vec<NewEntry> = notes
        .iter()
        .map(|&(seconds, author, text)| NewEntry {
            uuid: uuid::Uuid::new_v4().to_string(),
            kind: EntryKind::Note,
            occurred_at: declared() + TimeDelta::seconds(seconds),
            author: author.into(),
            text: text.into(),
            pinned: false,
        })
        .collect();
    store.add_entries(incident, &entries).unwrap();
}

fn texts(entries: &[TimelineEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.text.as_str()).collect()
}

/// Texts of the newest page and the count.
fn search(store: &mut Store, incident: i64, typed: &str) -> (Vec<String>, u64) {
    let page = store
        .search(incident, &SearchQuery::parse(typed).unwrap(), None, 50)
        .unwrap_or_else(|e| panic!("search {typed:?}: {e}"));
    let shown = texts(&page.entries).into_iter().map(str::to_string).collect();
    (shown, page.total_matches)
}

on_both_engines! {
    fn words_phrases_prefixes_and_case(db: &Db) {
        let mut store = db.open();
        let id = declare(&mut store, "Checkout errors");
        add(&mut store, id, &[
            (10, "bob", "Rolled back deploy 4812 in eu-west-1"),
            (20, "carol", "Rollback held; error rate down in EU-WEST-1"),
            (30, "dave", "db replica lag normal: not the database"),
            (40, "bob", "Paged the payments team (api.payments.example.com 502s)"),
        ]);
        let other = declare(&mut store, "Another incident");
        add(&mut store, other, &[(50, "erin", "Rolled back deploy 4812 elsewhere")]);

        // All words must match; only this incident's entries.
        assert_eq!(search(&mut store, id, "rolled deploy"), (vec!["Rolled back deploy 4812 in eu-west-1".into()], 1));
        // The last word is a prefix: "roll" finds rolled and rollback; case does not matter.
        assert_eq!(search(&mut store, id, "ROLL").1, 2);
        // Only the last word: "roll back" needs the word "roll".
        assert_eq!(search(&mut store, id, "roll back").1, 0);
        // Punctuation splits words, and a word with punctuation is a phrase.
        assert_eq!(search(&mut store, id, "eu-west-1").1, 2);
        assert_eq!(search(&mut store, id, "west eu").1, 2, "two words, any order");
        assert_eq!(search(&mut store, id, "\"west eu\"").1, 0, "a phrase keeps its order");
        assert_eq!(search(&mut store, id, "\"back deploy\"").1, 1);
        // A host name is found by any of its parts on both engines.
        assert_eq!(search(&mut store, id, "example").1, 1);
        // The author is searched too, as `/` did before.
        assert_eq!(search(&mut store, id, "carol").1, 1);
        assert_eq!(search(&mut store, id, "nothing-like-this").1, 0);
    }
}

on_both_engines! {
    fn pages_run_newest_first_and_the_count_stays(db: &Db) {
        let mut store = db.open();
        let id = declare(&mut store, "Paging");
        // Recorded in one order, happened in another: pages follow when
        // they happened, as the timeline does; ties by the log's order.
        let mut notes: Vec<(i64, String)> = (0..23).map(|n| (1000 - n * 10, format!("probe {n} timeout"))).collect();
        notes.push((1000, "probe tie timeout".into()));
        notes.push((500, "unrelated".into()));
        let borrowed: Vec<(i64, &str, &str)> = notes.iter().map(|(s, t)| (*s, "bob", t.as_str())).collect();
        add(&mut store, id, &borrowed);

        let query = SearchQuery::parse("timeout").unwrap();
        let mut seen: Vec<TimelineEntry> = Vec::new();
        let mut before = None;
        loop {
            let page = store.search(id, &query, before, 10).unwrap();
            assert_eq!(page.total_matches, 24, "the count on every page");
            assert!(page.entries.len() <= 10);
            let Some(oldest) = page.entries.last() else { break };
            before = Some(EntryKey::of(oldest));
            seen.extend(page.entries);
        }
        assert_eq!(seen.len(), 24, "every match once");
        let order: Vec<(DateTime<Utc>, i64)> = seen.iter().map(|e| (e.occurred_at, e.id)).collect();
        let mut newest_first = order.clone();
        newest_first.sort_by(|a, b| b.cmp(a));
        assert_eq!(order, newest_first);
        // The tie at 1000 s: the later in the log first.
        assert_eq!(texts(&seen[..2]), ["probe tie timeout", "probe 0 timeout"]);
        assert_eq!(seen.last().unwrap().text, "probe 22 timeout");
    }
}

on_both_engines! {
    fn syntax_of_either_query_language_is_searched_as_text(db: &Db) {
        let mut store = db.open();
        let id = declare(&mut store, "Hostile queries");
        add(&mut store, id, &[
            (10, "bob", "NEAR the edge: OR gate failed, AND then -1 retries; \"quoted\" text:colon it's fine"),
            (20, "bob", "another line"),
        ]);
        let hostile = [
            "\"", "*", "NEAR(", "NEAR(a b)", "-", ":", "text:", "author:bob", "'", "\\", "''", "')--",
            "a OR b", "NOT x", "^", "()", "(", ")", "{text}: x", "<->", "!x", "x:*", "&", "|",
            "a\"b", "\"\"\"", "*'*", "; DROP TABLE events; --", "%", "_", "\u{0}", "🙂", "é",
        ];
        for typed in hostile {
            let query = match SearchQuery::parse(typed) {
                Ok(query) => query,
                Err(e) => panic!("{typed:?} refused: {e}"),
            };
            let page = store.search(id, &query, None, 50).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
            assert!(page.total_matches <= 1, "{typed:?}: {}", page.total_matches);
        }
        // Operators are words like any other.
        assert_eq!(search(&mut store, id, "NEAR(").1, 1);
        assert_eq!(search(&mut store, id, "OR gate").1, 1);
        assert_eq!(search(&mut store, id, "text:colon").1, 1);
        assert_eq!(search(&mut store, id, "it's").1, 1);
        // Nothing was changed by any of it.
        assert_eq!(search(&mut store, id, "another").1, 1);
        assert_eq!(store.incident_record(id).unwrap().timeline.len(), 3, "the declaration and the two notes");
    }
}

on_both_engines! {
    fn a_database_from_before_the_index_becomes_searchable(db: &Db) {
        let id;
        {
            let mut store = db.open();
            id = declare(&mut store, "Old database");
            add(&mut store, id, &[(10, "bob", "written before the index existed")]);
        }
        // Back to the schema before the index: as a database written by the
        // previous warroom.
        match db.engine {
            Engine::Sqlite => db.superuser_batch(
                "DROP TRIGGER events_search_add; DROP TABLE events_search; PRAGMA user_version = 7;",
            ),
            Engine::Postgres => db.superuser_batch(
                "DROP INDEX events_search; UPDATE meta SET value = '1' WHERE key = 'schema_version';",
            ),
        }
        let mut store = db.open();
        assert_eq!(search(&mut store, id, "existed"), (vec!["written before the index existed".into()], 1));
        add(&mut store, id, &[(20, "bob", "written after it existed")]);
        assert_eq!(search(&mut store, id, "existed").1, 2);
    }
}

/// The search's condition is the indexed expression, so the server answers
/// from the index rather than reading every entry.
#[test]
fn postgres_answers_from_the_index() {
    let Some(db) = Db::new(Engine::Postgres, "postgres_answers_from_the_index") else {
        return;
    };
    let mut store = db.open();
    let id = declare(&mut store, "Plan");
    add(&mut store, id, &[(10, "bob", "needle")]);
    drop(store);
    // The expression as written in `schema.rs` (`search_words!`).
    let plan = db.superuser_sql(&format!(
        "SET enable_seqscan = off; EXPLAIN SELECT id FROM events WHERE {}",
        "to_tsvector('pg_catalog.simple'::regconfig, translate(text || ' ' || author, \
         '!\"#$%&''()*+,-./:;<=>?@[]^_`{|}~' || chr(92), '                                ')) \
         @@ to_tsquery('pg_catalog.simple'::regconfig, '''needle'':*')"
    ));
    let plan: Vec<String> = plan.into_iter().flatten().flatten().collect();
    assert!(
        plan.iter().any(|line| line.contains("events_search")),
        "{plan:#?}"
    );
}

/// A member can write the SQLite index itself: rows planted there (for an
/// entry that does not exist, for another incident's entry, or claiming
/// words an entry does not hold) never bring text that is not in `events`.
#[test]
fn rows_planted_in_the_sqlite_index_never_show() {
    let db = Db::new(Engine::Sqlite, "planted").unwrap();
    let mut store = db.open();
    let id = declare(&mut store, "Planted");
    add(&mut store, id, &[(10, "bob", "the real entry")]);
    let other = declare(&mut store, "Other");
    add(&mut store, other, &[(20, "erin", "secret of another incident")]);
    let real: i64 = db.superuser_sql("SELECT max(id) FROM events WHERE incident_id = 1")[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    let foreign: i64 = db.superuser_sql("SELECT max(id) FROM events WHERE incident_id = 2")[0][0]
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    db.superuser_batch(&format!(
        "INSERT INTO events_search (rowid, text, author) VALUES (999999, 'pwned planted words', 'mallory');
         INSERT INTO events_search (rowid, text, author) VALUES ({foreign}, 'pwned planted words', 'mallory');
         INSERT INTO events_search (rowid, text, author) VALUES ({real}, 'pwned planted words', 'mallory');"
    ));
    let page = store
        .search(id, &SearchQuery::parse("pwned").unwrap(), None, 50)
        .unwrap();
    // Only the real entry the planted row names, with its own text.
    assert_eq!(texts(&page.entries), ["the real entry"]);
    assert_eq!(page.total_matches, 1);
    let page = store
        .search(other, &SearchQuery::parse("planted").unwrap(), None, 50)
        .unwrap();
    assert_eq!(texts(&page.entries), ["secret of another incident"]);
    assert!(page.entries.iter().all(|e| !e.text.contains("pwned")));
    // Nothing at all for the planted row that names no entry.
    assert_eq!(
        db.superuser_sql("SELECT count(*) FROM events WHERE id = 999999")[0][0].as_deref(),
        Some("0")
    );
}

/// An index a member broke makes the search fail with a message, never a
/// panic, and the record reads as before.
#[test]
fn a_broken_sqlite_index_is_an_error_not_a_crash() {
    let db = Db::new(Engine::Sqlite, "broken").unwrap();
    let mut store = db.open();
    let id = declare(&mut store, "Broken index");
    add(&mut store, id, &[(10, "bob", "some words")]);
    db.superuser_batch("UPDATE events_search_data SET block = X'00ff00ff00ff' WHERE id > 1;");
    match store.search(id, &SearchQuery::parse("words").unwrap(), None, 50) {
        Ok(page) => assert!(page.entries.iter().all(|e| e.text == "some words")),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    assert_eq!(store.incident_record(id).unwrap().timeline.len(), 2);
}

/// `/` in the real console on a real file: the count, the newest matches,
/// and older pages as the selection moves up.
#[test]
fn the_console_searches_through_the_store() {
    let dir = common::temp_dir();
    let path = common::db_in(&dir);
    let mut store = Store::open(path.as_path(), warroom::store::OpenMode::Create).unwrap();
    let id = declare(&mut store, "Console search");
    let notes: Vec<(i64, String)> = (0..120)
        .map(|n| {
            (
                n * 10,
                if n % 2 == 0 {
                    format!("probe {n} timeout")
                } else {
                    format!("filler {n}")
                },
            )
        })
        .collect();
    let borrowed: Vec<(i64, &str, &str)> = notes.iter().map(|(s, t)| (*s, "bob", t.as_str())).collect();
    add(&mut store, id, &borrowed);
    drop(store);

    let mut console = Console::spawn(&path, 120, 40, &[]);
    console.wait_for("Console search");
    console.send(b"/timeo");
    console.send(b"\r");
    console.wait_for("60 match");
    console.wait_for("probe 118 timeout");
    let screen = console.screen_text();
    assert!(screen.contains("probe 118 timeout"), "{screen}");
    assert!(!screen.contains("filler 119"), "{screen}");
    // Up past the first page (50) loads the older ones.
    for _ in 0..7 {
        console.send(b"\x1b[5~"); // PgUp
    }
    console.wait_for("probe 0 timeout");
    // Esc in the timeline clears: the whole timeline again.
    console.send_esc();
    console.send(b"G");
    console.wait_for("filler 119");
    console.send(b"q");
}

on_both_engines! {
    /// A word in more entries than are counted exactly: the count says
    /// "more than", and the pages, read along the timeline's index, are
    /// still exactly the newest matches, every one once.
    fn a_common_word_is_counted_up_to_the_cap_and_paged_along_the_timeline(db: &Db) {
        use warroom::store::COUNT_CAP;
        let mut store = db.open();
        let id = declare(&mut store, "Noisy alerts");
        let common = COUNT_CAP as i64 + 30;
        // Every other entry: `common` matches among twice as many entries.
        let texts: Vec<String> = (0..2 * common)
            .map(|n| if n % 2 == 0 { format!("alert firing {n}") } else { format!("quiet {n}") })
            .collect();
        let notes: Vec<(i64, &str, &str)> =
            texts.iter().enumerate().map(|(n, text)| (n as i64, "bot", text.as_str())).collect();
        add(&mut store, id, &notes);
        // The other incident's matches never count.
        let other = declare(&mut store, "Elsewhere");
        add(&mut store, other, &[(5, "bob", "alert firing elsewhere")]);

        let query = SearchQuery::parse("alert").unwrap();
        let first = store.search(id, &query, None, 50).unwrap();
        assert!(first.more, "more than the cap match");
        assert_eq!(first.total_matches, COUNT_CAP);
        let newest: Vec<String> = (0..50).map(|k| format!("alert firing {}", (common - 1 - k) * 2)).collect();
        assert_eq!(texts_of(&first.entries), newest);
        let second = store
            .search(id, &query, Some(EntryKey::of(first.entries.last().unwrap())), 50)
            .unwrap();
        let next: Vec<String> = (50..100).map(|k| format!("alert firing {}", (common - 1 - k) * 2)).collect();
        assert_eq!(texts_of(&second.entries), next);
        // A rare word in the same incident is counted exactly.
        let rare = store.search(id, &SearchQuery::parse("\"firing 10\"").unwrap(), None, 50).unwrap();
        assert!(!rare.more);
        assert_eq!(texts_of(&rare.entries), ["alert firing 10"]);
    }
}

fn texts_of(entries: &[TimelineEntry]) -> Vec<String> {
    entries.iter().map(|e| e.text.clone()).collect()
}
