//! The same war room on either engine, through the real binary.

mod common;

use common::{ok, show_json};

on_both_engines! {
    fn declare_note_check_and_show(db: &Db) {
        assert_eq!(ok(db.path(), &["declare", "Checkout errors", "--severity", "P1"]).trim(), "1");
        ok(db.path(), &["note", "rolled back 4.2.1"]);
        ok(db.path(), &["check", "1.1"]);
        let shown = show_json(db.path(), "1");
        assert_eq!(shown["severity"], "P1", "{shown}");
        let texts: Vec<&str> = shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert!(texts.contains(&"rolled back 4.2.1"), "{texts:?}");
        let verified = ok(db.path(), &["verify"]);
        assert!(verified.contains("intact"), "{verified}");
    }
}
