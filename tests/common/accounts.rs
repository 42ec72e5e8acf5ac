//! Throwaway Unix accounts and groups for the tests that play a hostile
//! member of the war-room group (CI runs as root). Each is created with the
//! system's own `useradd`/`groupadd` and removed when dropped; processes run
//! as an account through `setpriv`, with its own home and supplementary groups.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// True when the tests run as root (only then can they make accounts).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Prints why `test` is skipped and returns true when not root.
pub fn skipped_unless_root(test: &str) -> bool {
    if is_root() {
        return false;
    }
    println!("SKIPPED {test}: needs root to create throwaway accounts (CI runs as root)");
    true
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A short name unique to this test process and call: `wr` + prefix + pid + n.
fn unique(prefix: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("wr{prefix}{}x{n}", std::process::id() % 100_000)
}

/// Runs one of the shadow-utils commands, retrying while another test holds
/// the lock on /etc/passwd or /etc/group.
fn admin(program: &str, args: &[&str]) {
    for _ in 0..100 {
        let out = Command::new(program)
            .args(args)
            .output()
            .expect("run admin command");
        if out.status.success() {
            return;
        }
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.contains("lock") && !err.contains("try again") {
            panic!("{program} {args:?} failed: {err}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("{program} {args:?}: /etc/passwd stayed locked");
}

/// A group that exists for one test.
pub struct TempGroup {
    pub name: String,
    pub gid: u32,
}

impl TempGroup {
    pub fn new(prefix: &str) -> TempGroup {
        let name = unique(prefix);
        admin("groupadd", &[&name]);
        let gid = uzers::get_group_by_name(&name).expect("group just made").gid();
        TempGroup { name, gid }
    }
}

impl Drop for TempGroup {
    fn drop(&mut self) {
        let _ = Command::new("groupdel").arg(&self.name).output();
    }
}

/// An account that exists for one test, with a home of its own.
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

impl Account {
    /// A new account, a member of `groups`.
    pub fn new(prefix: &str, groups: &[&TempGroup]) -> Account {
        let name = unique(prefix);
        let home = std::env::temp_dir().join(format!("{name}-home"));
        let home_arg = home.display().to_string();
        let mut args = vec!["-m", "-d", &home_arg, "-s", "/bin/sh", "-U"];
        let list = groups
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>()
            .join(",");
        if !list.is_empty() {
            args.extend(["-G", &list]);
        }
        args.push(&name);
        admin("useradd", &args);
        let user = uzers::get_user_by_name(&name).expect("account just made");
        Account {
            uid: user.uid(),
            gid: user.primary_group_id(),
            name,
            home,
        }
    }

    /// The arguments that make `setpriv` run a program as this account
    /// (real and effective ids, its supplementary groups).
    pub fn setpriv_args(&self) -> Vec<String> {
        vec![
            format!("--reuid={}", self.uid),
            format!("--regid={}", self.gid),
            "--init-groups".into(),
            "--".into(),
        ]
    }

    /// `program` run as this account, with its home and none of the
    /// caller's XDG folders.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new("setpriv");
        cmd.args(self.setpriv_args()).arg(program);
        for (key, value) in self.environment() {
            cmd.env(key, value);
        }
        for key in ["XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "WARROOM_DB"] {
            cmd.env_remove(key);
        }
        cmd.current_dir(&self.home);
        cmd
    }

    /// The environment a login of this account would have.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.home.display().to_string()),
            ("USER", self.name.clone()),
            ("LOGNAME", self.name.clone()),
        ]
    }

    /// `warroom --db DB` as this account.
    pub fn warroom(&self, db: &Path) -> Command {
        let mut cmd = self.command(super::BIN);
        cmd.arg("--db").arg(db);
        cmd
    }

    /// The account's state folder (`~/.local/state/warroom`).
    pub fn state_dir(&self) -> PathBuf {
        self.home.join(".local/state/warroom")
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new("userdel").args(["-r", "-f", &self.name]).output();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// A war room set up the way an admin does it: `warroom init --shared
/// DIR/room --group GROUP`, run as root (the tests' own account). Returns
/// the folder and its database.
pub fn shared_room(dir: &Path, group: &TempGroup) -> (PathBuf, PathBuf) {
    let folder = dir.join("room");
    let out = Command::new(super::BIN)
        .args(["init", "--shared"])
        .arg(&folder)
        .args(["--group", &group.name])
        .env_remove("WARROOM_DB")
        .output()
        .expect("run warroom init");
    assert!(
        out.status.success(),
        "init --shared failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = folder.join("warroom.db");
    (folder, db)
}
