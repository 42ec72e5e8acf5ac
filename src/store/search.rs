//! Search of an incident's timeline by index: SQLite's FTS5 index
//! (`events_search`, schema 8), PostgreSQL's full-text search (a GIN index,
//! its schema 2). What the responder types is parsed once here into each
//! engine's query language, from words alone, and bound as a parameter:
//! no character typed reaches either query language as syntax. Every match
//! is read back from `events`, so a row a member planted in the index (the
//! SQLite file is theirs to write) never shows and is never counted.

use super::read::{SELECT_EVENT, event_from_row};
use super::schema::search_words;
use super::sql::{Dialect, Tx, params};
use super::window::EntryKey;
use super::{Result, Store, StoreError, to_millis};
use crate::domain::TimelineEntry;

/// More words than this in one search is refused: a query stays small
/// whatever is pasted into the line.
pub const MAX_SEARCH_WORDS: usize = 32;

/// A search as typed, parsed: every term must match; a term is a word, or
/// words in double quotes (a phrase: next to each other, in order). Words
/// are runs of letters and digits; anything else separates them, so
/// `eu-west-1` is the phrase `eu west 1`. The last word, unless quoted,
/// also matches as the start of a word (`roll` finds `rollback`), so a
/// search finds what is being typed. Case does not matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    /// Letters and digits only, never empty.
    words: Vec<String>,
    /// The last word matches as a prefix.
    prefix: bool,
}

impl SearchQuery {
    /// Parses what the responder typed; refuses more than
    /// [`MAX_SEARCH_WORDS`] words. A query of punctuation alone has no
    /// terms ([`SearchQuery::is_empty`]) and matches nothing.
    pub fn parse(typed: &str) -> Result<SearchQuery> {
        let mut terms = Vec::new();
        let mut last_bare = false;
        // Outside quotes at even positions, inside at odd ones; an
        // unclosed quote runs to the end.
        for (index, part) in typed.split('"').enumerate() {
            let quoted = index % 2 == 1;
            if quoted {
                let words = words_of(part);
                if !words.is_empty() {
                    terms.push(Term { words, prefix: false });
                    last_bare = false;
                }
            } else {
                for chunk in part.split_whitespace() {
                    let words = words_of(chunk);
                    if !words.is_empty() {
                        terms.push(Term { words, prefix: false });
                        last_bare = true;
                    }
                }
            }
        }
        if last_bare && let Some(last) = terms.last_mut() {
            last.prefix = true;
        }
        let count: usize = terms.iter().map(|t| t.words.len()).sum();
        if count > MAX_SEARCH_WORDS {
            return Err(StoreError::Invalid(format!(
                "a search takes at most {MAX_SEARCH_WORDS} words; this one has {count}"
            )));
        }
        Ok(SearchQuery { terms })
    }

    /// No word to look for: nothing matches.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The FTS5 form: each word a string in double quotes (a quote inside
    /// would be doubled; words have none), a phrase's words joined by `+`,
    /// terms side by side (AND), `*` after a prefix. Nothing typed becomes
    /// an operator (`NEAR`, `OR`, `-`, `:` or a column name).
    fn fts5(&self) -> String {
        let term = |term: &Term| {
            let phrase: Vec<String> = term
                .words
                .iter()
                .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
                .collect();
            let star = if term.prefix { "*" } else { "" };
            format!("{}{star}", phrase.join(" + "))
        };
        self.terms.iter().map(term).collect::<Vec<_>>().join(" ")
    }

    /// The `to_tsquery` form: each word a quoted lexeme (`'` and `\`
    /// would be escaped; words have none), a phrase's words joined by
    /// `<->`, terms by `&`, `:*` after a prefix.
    fn tsquery(&self) -> String {
        let term = |term: &Term| {
            let last = term.words.len() - 1;
            let phrase: Vec<String> = term
                .words
                .iter()
                .enumerate()
                .map(|(index, word)| {
                    let word = word.replace('\\', "\\\\").replace('\'', "''");
                    let star = if term.prefix && index == last { ":*" } else { "" };
                    format!("'{word}'{star}")
                })
                .collect();
            phrase.join(" <-> ")
        };
        self.terms.iter().map(term).collect::<Vec<_>>().join(" & ")
    }
}

/// The letters-and-digits runs of `text`.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_string)
        .collect()
}

/// One page of a search's results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// Newest first, in the timeline's order.
    pub entries: Vec<TimelineEntry>,
    /// Entries of the incident that match, on every page; at most
    /// [`COUNT_CAP`] (then `more` says there are more).
    pub total_matches: u64,
    /// More than [`COUNT_CAP`] entries match.
    pub more: bool,
}

/// Matches counted exactly, at most: counting (and sorting) every match of
/// a common word in a long incident would cost what the first page should
/// not. Past it a search says "more than", and its pages are read along the
/// timeline's own index, newest first, stopping at a page.
pub const COUNT_CAP: u64 = 5_000;

impl Store {
    /// Up to `limit` entries of the incident matching `query`, newest
    /// first, from before `before` (None: the newest), and how many match
    /// in all; read in one snapshot.
    pub fn search(
        &mut self,
        incident_id: i64,
        query: &SearchQuery,
        before: Option<EntryKey>,
        limit: usize,
    ) -> Result<SearchPage> {
        if query.is_empty() || limit == 0 {
            return Ok(SearchPage {
                entries: Vec::new(),
                total_matches: 0,
                more: false,
            });
        }
        let dialect = self.dialect();
        let (matches, engine_query) = match dialect {
            Dialect::Sqlite => (
                "id IN (SELECT rowid FROM events_search WHERE events_search MATCH ?2)",
                query.fts5(),
            ),
            Dialect::Postgres => (
                concat!(
                    search_words!(),
                    " @@ to_tsquery('pg_catalog.simple'::regconfig, ?2)"
                ),
                query.tsquery(),
            ),
        };
        // The newest possible cursor stands for "no cursor", so one
        // statement serves every page.
        let (before_at, before_id) =
            before.map_or((i64::MAX, i64::MAX), |key| (to_millis(key.occurred_at), key.id));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let cap = i64::try_from(COUNT_CAP).unwrap_or(i64::MAX);
        self.read(|tx: &Tx<'_>| {
            // Counted from the text index outward: a planner that walked the
            // incident's entries instead would test every one of them. SQLite
            // stops at the cap; PostgreSQL counts from its bitmap (a LIMIT
            // there tempts its planner into that walk).
            let counted: i64 = match dialect {
                Dialect::Sqlite => tx.query_one(
                    "SELECT count(*) FROM (SELECT events.id FROM events_search
                       CROSS JOIN events ON events.id = events_search.rowid
                      WHERE events_search MATCH ?2 AND events.incident_id = ?1 LIMIT ?3)",
                    params![incident_id, engine_query, cap + 1],
                ),
                Dialect::Postgres => tx.query_one(
                    &format!("SELECT count(*) FROM events WHERE incident_id = ?1 AND {matches}"),
                    params![incident_id, engine_query],
                ),
            }?
            .get(0)?;
            let more = counted > cap;
            // Few matches: find them all from the text index and sort them.
            // Many: walk the timeline's index newest first and stop at a
            // page. Each planner is told which (`+`/`+ 0` hide a column
            // from its indexes).
            let (incident, matches_here, newest_first) = match (dialect, more) {
                (Dialect::Sqlite, true) => (
                    "incident_id",
                    matches.replacen("id IN", "+id IN", 1),
                    "occurred_at DESC, id DESC",
                ),
                (Dialect::Sqlite, false) => {
                    ("+incident_id", matches.to_string(), "occurred_at DESC, id DESC")
                }
                (Dialect::Postgres, true) => {
                    ("incident_id", matches.to_string(), "occurred_at DESC, id DESC")
                }
                (Dialect::Postgres, false) => (
                    "incident_id",
                    matches.to_string(),
                    "occurred_at + 0 DESC, id + 0 DESC",
                ),
            };
            // The page's ids first, then their rows: sorting every match
            // whole (text, pin) would cost more than finding them.
            let entries = tx.query_map(
                &format!(
                    "{SELECT_EVENT} WHERE id IN (
                       SELECT id FROM events WHERE {incident} = ?1 AND {matches_here}
                          AND (occurred_at < ?3 OR (occurred_at = ?3 AND id < ?4))
                        ORDER BY {newest_first} LIMIT ?5)
                     ORDER BY occurred_at DESC, id DESC"
                ),
                params![incident_id, engine_query, before_at, before_id, limit],
                event_from_row,
            )?;
            Ok(SearchPage {
                entries,
                total_matches: counted.clamp(0, cap) as u64,
                more,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(typed: &str) -> (String, String) {
        let query = SearchQuery::parse(typed).expect("parses");
        (query.fts5(), query.tsquery())
    }

    #[test]
    fn words_must_all_match_and_the_last_is_a_prefix() {
        assert_eq!(
            forms("rollback EU"),
            (r#""rollback" "EU"*"#.into(), "'rollback' & 'EU':*".into())
        );
        assert_eq!(forms("roll"), (r#""roll"*"#.into(), "'roll':*".into()));
    }

    #[test]
    fn punctuation_splits_a_word_into_a_phrase() {
        assert_eq!(
            forms("eu-west-1 db"),
            (
                r#""eu" + "west" + "1" "db"*"#.into(),
                "'eu' <-> 'west' <-> '1' & 'db':*".into()
            )
        );
        // The last word's last part is the prefix.
        assert_eq!(forms("eu-we").1, "'eu' <-> 'we':*");
    }

    #[test]
    fn quotes_make_a_phrase_matched_whole() {
        assert_eq!(
            forms(r#""roll back" now"#),
            (
                r#""roll" + "back" "now"*"#.into(),
                "'roll' <-> 'back' & 'now':*".into()
            )
        );
        // A quoted last term is not a prefix; an unclosed quote runs to the end.
        assert_eq!(forms(r#"now "roll back"#).1, "'now' & 'roll' <-> 'back'");
    }

    #[test]
    fn syntax_of_either_engine_is_only_text() {
        for typed in [
            "\"", "*", "-", ":", "'", "\\", "()", "^", "&|!", "<->", ":*", "--", "\"\"",
        ] {
            let query = SearchQuery::parse(typed).expect("parses");
            assert!(query.is_empty(), "{typed:?} holds no word");
        }
        assert_eq!(
            forms("NEAR(a b) text:x OR -y"),
            (
                r#""NEAR" + "a" "b" "text" + "x" "OR" "y"*"#.into(),
                "'NEAR' <-> 'a' & 'b' & 'text' <-> 'x' & 'OR' & 'y':*".into()
            )
        );
        assert_eq!(forms("NEAR("), (r#""NEAR"*"#.into(), "'NEAR':*".into()));
        assert_eq!(forms("o'brien").1, "'o' <-> 'brien':*");
    }

    #[test]
    fn letters_of_every_script_are_words() {
        assert_eq!(forms("café 東京").0, r#""café" "東京"*"#);
    }

    #[test]
    fn a_pasted_wall_of_words_is_refused() {
        let many = vec!["w"; MAX_SEARCH_WORDS + 1].join(" ");
        let refusal = SearchQuery::parse(&many).expect_err("too many words").to_string();
        assert!(refusal.contains("at most 32 words"), "{refusal}");
        assert!(SearchQuery::parse(&vec!["w"; MAX_SEARCH_WORDS].join(" ")).is_ok());
    }
}
