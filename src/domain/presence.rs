//! Who is attached to the war room right now.
//!
//! Each console says it is here every [`HEARTBEAT`]; one that has not said so
//! for [`PRESENCE_TIMEOUT`] (killed, SSH dropped) is no longer shown.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

pub const HEARTBEAT: TimeDelta = TimeDelta::seconds(2);
pub const PRESENCE_TIMEOUT: TimeDelta = TimeDelta::seconds(6);

/// One attached console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Presence {
    /// Random per console run.
    pub session: String,
    pub account: String,
    /// Terminal it runs on (`pts/3`), to tell one person's two consoles apart.
    pub terminal: String,
    /// The host the console runs on (responders of a PostgreSQL war room
    /// are on several); empty for a console from before hosts were kept.
    pub host: String,
    pub incident_id: Option<i64>,
    pub since: DateTime<Utc>,
    pub seen_at: DateTime<Utc>,
}

impl Presence {
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now - self.seen_at <= PRESENCE_TIMEOUT
    }

    /// Whether the row is one a console could have written: a terminal name
    /// the kernel gives ([`is_terminal_name`]), a plausible account
    /// ([`is_account_name`]), a UUID session, and `since` ≤ `seen_at`. Any
    /// other row was planted in the file and is shown to nobody.
    pub fn is_well_formed(&self) -> bool {
        is_terminal_name(&self.terminal)
            && is_account_name(&self.account)
            && (self.host.is_empty() || is_host_name(&self.host))
            && is_session_id(&self.session)
            && self.since <= self.seen_at
    }
}

/// Shown for a console without a controlling terminal (or one of a kind not
/// named here).
pub const NO_TERMINAL: &str = "?";

/// The controlling terminal's name from `tty_nr` in `/proc/<pid>/stat` (the
/// kernel's device number): `pts/N`, `ttyN`, `ttySN`, else [`NO_TERMINAL`].
pub fn terminal_from_tty_nr(tty_nr: u32) -> String {
    // The kernel's encoding (new_encode_dev): minor bits 0-7, major bits
    // 8-19, the rest of the minor from bit 20 up.
    let major = (tty_nr >> 8) & 0xfff;
    let minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    match major {
        // Unix98 pseudo-terminal slaves.
        136..=143 => format!("pts/{}", (major - 136) * 256 + minor),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        _ => NO_TERMINAL.into(),
    }
}

/// `tty_nr` (field 7) from the text of `/proc/<pid>/stat`; None when it is
/// 0 (no controlling terminal) or unreadable. The command name (field 2) is
/// in parentheses and may hold anything, so fields are counted after the
/// last `)`.
pub fn tty_nr_from_stat(stat: &str) -> Option<u32> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // state, ppid, pgrp, session, tty_nr
    let tty_nr: i64 = after_name.split_whitespace().nth(4)?.parse().ok()?;
    // Printed as a signed int: take its 32 bits back.
    let tty_nr = i32::try_from(tty_nr).ok()? as u32;
    (tty_nr != 0).then_some(tty_nr)
}

/// `pts/N`, `ttyN`, `ttySN` (N a number) or `?`: the names
/// [`terminal_from_tty_nr`] gives.
pub fn is_terminal_name(name: &str) -> bool {
    if name == NO_TERMINAL {
        return true;
    }
    ["pts/", "ttyS", "tty"]
        .iter()
        .any(|prefix| name.strip_prefix(prefix).is_some_and(|n| is_number(n, 7)))
}

/// A plausible account name: 1 to 32 letters, digits, `.`, `_`, `-`, with an
/// optional trailing `$` (Samba machine accounts), or `uid:N` for a uid
/// without a name.
pub fn is_account_name(name: &str) -> bool {
    if let Some(uid) = name.strip_prefix("uid:") {
        return is_number(uid, 10) && uid.parse::<u32>().is_ok();
    }
    let body = name.strip_suffix('$').unwrap_or(name);
    !body.is_empty()
        && name.len() <= 32
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// A plausible host name: 1 to 64 letters, digits, `.`, `-`, `_`, or `?`
/// (a host that would not say).
pub fn is_host_name(name: &str) -> bool {
    name == "?"
        || (!name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')))
}

/// A UUID written the way consoles write it (`8-4-4-4-12` hex digits).
pub fn is_session_id(session: &str) -> bool {
    session.len() == 36 && uuid::Uuid::try_parse(session).is_ok()
}

/// Digits without a leading zero (or `0` itself), at most `max_digits`.
fn is_number(text: &str, max_digits: usize) -> bool {
    !text.is_empty()
        && text.len() <= max_digits
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    fn row(account: &str, terminal: &str) -> Presence {
        Presence {
            session: "0b7f4c2e-6a51-4d0e-9d3c-2f1a8b9e7c10".into(),
            account: account.into(),
            terminal: terminal.into(),
            host: "bastion-1".into(),
            incident_id: Some(1),
            since: at(0),
            seen_at: at(2),
        }
    }

    /// tty_nr as the kernel encodes (major, minor).
    fn encode(major: u32, minor: u32) -> u32 {
        (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
    }

    #[test]
    fn terminal_names_come_from_the_device_number() {
        let cases = [
            (encode(136, 0), "pts/0"),
            (encode(136, 7), "pts/7"),
            (encode(136, 255), "pts/255"),
            // Minors above 255 sit in the high bits of tty_nr.
            (encode(136, 256), "pts/256"),
            (encode(136, 4_100), "pts/4100"),
            (encode(137, 3), "pts/259"),
            (encode(143, 255), "pts/2047"),
            (encode(4, 1), "tty1"),
            (encode(4, 63), "tty63"),
            (encode(4, 64), "ttyS0"),
            (encode(4, 70), "ttyS6"),
            (encode(5, 0), "?"), // /dev/tty itself
            (encode(5, 1), "?"), // /dev/console
            (encode(135, 0), "?"),
            (encode(144, 0), "?"),
            (encode(1, 3), "?"), // /dev/null
        ];
        for (tty_nr, name) in cases {
            let got = terminal_from_tty_nr(tty_nr);
            assert_eq!(got, name, "tty_nr {tty_nr:#x}");
            assert!(is_terminal_name(&got), "{got} must pass its own check");
        }
    }

    #[test]
    fn tty_nr_is_read_after_the_command_name() {
        let stat = |name: &str, tty: &str| format!("4242 ({name}) S 1 4242 4242 {tty} 4242 4194560 0 0");
        assert_eq!(tty_nr_from_stat(&stat("warroom", "34816")), Some(34816));
        assert_eq!(terminal_from_tty_nr(34816), "pts/0");
        // A command name made to look like fields.
        assert_eq!(
            tty_nr_from_stat(&stat("x) R 1 1 1 34823 (y", "34817")),
            Some(34817)
        );
        assert_eq!(tty_nr_from_stat(&stat("warroom", "0")), None);
        assert_eq!(tty_nr_from_stat(&stat("warroom", "-1")), Some(u32::MAX));
        assert_eq!(tty_nr_from_stat(&stat("warroom", "x")), None);
        assert_eq!(tty_nr_from_stat("4242 (warroom S 1"), None);
        assert_eq!(tty_nr_from_stat(""), None);
    }

    #[test]
    fn only_kernel_terminal_names_pass() {
        for good in ["pts/0", "pts/7", "pts/2047", "tty1", "ttyS0", "?", "pts/1048575"] {
            assert!(is_terminal_name(good), "{good}");
        }
        for bad in [
            "",
            "pts/",
            "pts/07",
            "pts/-1",
            "pts/1 ",
            "pts/7, carol pts/8",
            "shm/x 05:10, carol pts/7",
            "/dev/pts/1",
            "pts/１",
            "ttyUSB0",
            "tty",
            "ttyS",
            "pts/12345678",
            "pts/1\x1b]0;x",
            "??",
        ] {
            assert!(!is_terminal_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn only_plausible_account_names_pass() {
        for good in [
            "alice",
            "a",
            "svc-backup",
            "j.doe",
            "_apt",
            "host01$",
            "uid:0",
            "uid:4294967295",
            &"a".repeat(32),
        ] {
            assert!(is_account_name(good), "{good}");
        }
        for bad in [
            "",
            "$",
            "carol pts/7",
            "alice,bob",
            "zoë",
            "a$b",
            "uid:",
            "uid:x",
            "uid:4294967296",
            "uid:-1",
            "\x1b]0;pwned\x07",
            &"a".repeat(33),
        ] {
            assert!(!is_account_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_row_is_shown_only_when_every_field_is_well_formed() {
        assert!(row("alice", "pts/3").is_well_formed());
        assert!(row("uid:1001", "?").is_well_formed());
        assert!(!row("carol", "pts/7 05:10, carol pts/8").is_well_formed());
        assert!(!row("carol pts/7", "pts/3").is_well_formed());
        let mut bad_session = row("alice", "pts/3");
        bad_session.session = "hostile-1".into();
        assert!(!bad_session.is_well_formed());
        let mut from_the_future = row("alice", "pts/3");
        from_the_future.since = at(3);
        assert!(!from_the_future.is_well_formed());
        let mut just_started = row("alice", "pts/3");
        just_started.since = just_started.seen_at;
        assert!(just_started.is_well_formed());
        let mut from_before_hosts = row("alice", "pts/3");
        from_before_hosts.host = String::new();
        assert!(from_before_hosts.is_well_formed());
        let mut forged_host = row("alice", "pts/3");
        forged_host.host = "db1 pts/9, mallory@db2".into();
        assert!(!forged_host.is_well_formed());
    }

    #[test]
    fn a_console_that_stops_beating_disappears() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let p = Presence {
            session: "s".into(),
            account: "alice".into(),
            terminal: "pts/1".into(),
            host: String::new(),
            incident_id: Some(1),
            since: t0,
            seen_at: t0,
        };
        assert!(p.is_live(t0 + HEARTBEAT));
        assert!(p.is_live(t0 + PRESENCE_TIMEOUT));
        assert!(!p.is_live(t0 + PRESENCE_TIMEOUT + TimeDelta::seconds(1)));
    }
}
