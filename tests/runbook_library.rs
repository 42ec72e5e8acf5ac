//! The runbook library, as a commander meets it: `warroom runbooks`, a
//! folder of the team's own runbooks (one of them broken), `declare
//! --runbook NAME`, and the choice on the start screen.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::pty::Console;
use common::{BIN, db_in, show_json, temp_dir};

const DB_FAILOVER: &str = include_str!("fixtures/database-failover.md");

/// A HOME and config folder of this test's own, with a runbook folder.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup { dir: temp_dir() };
        std::fs::create_dir_all(setup.config().join("warroom")).unwrap();
        setup
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The default library folder: `$XDG_CONFIG_HOME/warroom/runbooks`.
    fn folder(&self) -> PathBuf {
        let folder = self.config().join("warroom").join("runbooks");
        std::fs::create_dir_all(&folder).unwrap();
        folder
    }

    fn db(&self) -> PathBuf {
        db_in(&self.dir)
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.dir.path().display().to_string()),
            ("XDG_CONFIG_HOME", self.config().display().to_string()),
            (
                "XDG_STATE_HOME",
                self.dir.path().join("state").display().to_string(),
            ),
        ]
    }

    fn warroom(&self, args: &[&str]) -> Output {
        let mut command = Command::new(BIN);
        command
            .arg("--db")
            .arg(self.db())
            .args(args)
            .env_remove("WARROOM_DB");
        for (key, value) in self.env() {
            command.env(key, value);
        }
        command.output().expect("run warroom")
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn out_of_the_box_the_sop_and_the_security_runbook() {
    let setup = Setup::new();
    let out = setup.warroom(&["runbooks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&out);
    assert!(
        listed.starts_with("Incident Response SOP  (36 items, 4 phases; built in)\n"),
        "{listed}"
    );
    assert!(
        listed.contains(
            "Security Incident Response  (39 items, 4 phases; built in)\n    Use for: unauthorised access"
        ),
        "{listed}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&setup.warroom(&["runbooks", "--json"]).stdout).unwrap();
    assert_eq!(json["runbooks"].as_array().unwrap().len(), 2, "{json}");
    assert_eq!(json["runbooks"][1]["name"], "Security Incident Response");
    assert_eq!(json["runbooks"][1]["phases"], 4);
    assert_eq!(json["broken"], serde_json::json!([]));
}

#[test]
fn a_folder_of_runbooks_with_a_broken_one_named_by_its_line() {
    let setup = Setup::new();
    let folder = setup.folder();
    std::fs::write(folder.join("db-failover.md"), DB_FAILOVER).unwrap();
    // Line 5 holds a checklist item inside another: refused with its line.
    std::fs::write(
        folder.join("broken.md"),
        "# Half a runbook\n\n## Steps\n- [ ] **Outer**: parent\n  - [ ] **Inner**: nested\n",
    )
    .unwrap();
    // A link in the folder is never read through.
    std::fs::write(setup.dir.path().join("secret.md"), DB_FAILOVER).unwrap();
    std::os::unix::fs::symlink(setup.dir.path().join("secret.md"), folder.join("linked.md")).unwrap();
    std::fs::write(folder.join("notes.txt"), "not a runbook").unwrap();

    let out = setup.warroom(&["runbooks"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let listed = stdout(&out);
    let names: Vec<&str> = listed
        .lines()
        .filter(|line| !line.starts_with("    "))
        .map(|line| line.split("  (").next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Incident Response SOP",
            "Security Incident Response",
            "Database Failover Runbook"
        ]
    );
    let said = stderr(&out);
    assert!(
        said.contains("broken.md: runbook line 5: nested checklist items are not supported"),
        "{said}"
    );
    assert!(said.contains("linked.md: a symbolic link"), "{said}");
    assert!(said.contains("2 runbook files in"), "{said}");
    assert!(!said.contains("notes.txt"), "only .md files are runbooks: {said}");
}

#[test]
fn declare_takes_a_runbook_by_its_name_or_its_file_name() {
    let setup = Setup::new();
    std::fs::write(setup.folder().join("db-failover.md"), DB_FAILOVER).unwrap();
    let declared = setup.warroom(&[
        "declare",
        "--runbook",
        "security incident response",
        "Leaked deploy key",
    ]);
    assert!(declared.status.success(), "{}", stderr(&declared));
    let first = show_json(&setup.db(), "1");
    assert_eq!(first["runbook"], "security.md (built in)", "{first}");
    assert_eq!(first["checklist"].as_array().unwrap().len(), 39);

    let declared = setup.warroom(&["declare", "--runbook", "db-failover.md", "Primary down"]);
    assert!(declared.status.success(), "{}", stderr(&declared));
    assert_eq!(show_json(&setup.db(), "2")["runbook"], "db-failover.md");

    let refused = setup.warroom(&["declare", "--runbook", "Nonexistent Runbook", "x"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("no runbook named \"Nonexistent Runbook\"")
            && stderr(&refused).contains("warroom runbooks"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn the_security_runbook_chosen_on_the_start_screen() {
    let setup = Setup::new();
    let env = setup.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut console = Console::spawn(&setup.db(), 100, 30, &env);
    console.wait_for("Declare an incident");
    console.wait_for("Incident Response SOP");
    console.send("Exfiltration alert");
    console.send("\t\t"); // to the runbook field
    console.send(b"\x1b[B"); // Down: the next runbook
    console.wait_for("Use for: unauthorised access");
    console.wait_for("2 of 2");
    // Its triggers now stand beside the severities.
    console.wait_for("Data or credentials confirmed taken");
    console.send(b"\r");
    console.wait_until("the incident declared", |screen| {
        screen.contains("Exfiltration alert") && screen.contains("Checklist")
    });
    console.send("q");
    console.wait_exit(std::time::Duration::from_secs(10));
    let shown = show_json(&setup.db(), "1");
    assert_eq!(shown["runbook"], "security.md (built in)", "{shown}");
    assert_eq!(
        shown["severity"], "P2",
        "the arrows moved the runbook, not the severity"
    );
}
