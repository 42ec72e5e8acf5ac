//! Evidence: a command's output (from `warroom run`) or a file's text (from
//! `note --file`) attached to the timeline. The entry carries the facts
//! (what, who, where, when, how it ended, how big, its SHA-256); the bytes
//! themselves are kept beside the event (up to [`KEPT_BYTES`]), so paging
//! through the timeline never reads them.
//!
//! Two hashes, both covered by the chain through the event's data:
//! `sha256` is of the WHOLE stream (so a record cut at [`KEPT_BYTES`] still
//! proves what it came from), `stored_sha256` of the bytes kept. Equal when
//! nothing was cut. Pure: no I/O.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::chain::to_hex;

/// How much of an output is kept: 1 MiB. Holds the whole of what a
/// responder reads on a screen (a `kubectl describe`, a few thousand log
/// lines) while a runaway output (`yes`, a 50 MB dump) costs the shared
/// record no more than a megabyte; the rest is counted and hashed.
pub const KEPT_BYTES: usize = 1024 * 1024;

/// The longest command line `run` records (the entry's text carries it).
pub const MAX_COMMAND_BYTES: usize = 16 * 1024;

/// What an evidence entry records; stored as the event's data
/// (`{"evidence":{…}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub source: Source,
    /// Where: the host and the working directory.
    pub host: String,
    pub cwd: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    /// How the command ended (None for a file).
    pub exit: Option<Exit>,
    /// Size of the whole output.
    pub bytes: u64,
    /// SHA-256 of the whole output, hex.
    pub sha256: String,
    /// Size and SHA-256 of the bytes kept (the first [`KEPT_BYTES`]).
    pub stored_bytes: u64,
    pub stored_sha256: String,
    pub truncated: bool,
    /// Not text: shown as "binary, N bytes", never dumped.
    pub binary: bool,
}

/// Where the bytes came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `warroom run -- ARGS…`: the command line as a shell would read it.
    Run { command: String },
    /// `warroom note --file PATH`: the path as given.
    File { path: String },
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// It exited with this status.
    Code(i32),
    /// A signal ended it (SIGINT: interrupted with Ctrl-C).
    Signal(i32),
}

impl Exit {
    /// The status a shell would report: the code, or 128 + the signal.
    pub fn status(self) -> i32 {
        match self {
            Exit::Code(code) => code,
            Exit::Signal(signal) => 128 + signal,
        }
    }

    /// `exit 3`, `interrupted (SIGINT)`, `killed by SIGTERM`.
    pub fn describe(self) -> String {
        match self {
            Exit::Code(code) => format!("exit {code}"),
            Exit::Signal(2) => "interrupted (SIGINT)".into(),
            Exit::Signal(signal) => format!("killed by {}", signal_name(signal)),
        }
    }
}

/// The usual name of a signal (`SIGTERM`), or `signal N`.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

impl Evidence {
    /// The entry's one line: `$ kubectl get pods  exit 0  2.3 KB`,
    /// `file /tmp/dump.bin  binary, 4.1 MB (first 1.0 MB kept)`.
    pub fn entry_text(&self) -> String {
        let what = match &self.source {
            Source::Run { command } => format!("$ {command}"),
            Source::File { path } => format!("file {path}"),
        };
        let mut text = what;
        if let Some(exit) = self.exit {
            text.push_str("  ");
            text.push_str(&exit.describe());
        }
        text.push_str("  ");
        text.push_str(&self.size_words());
        text
    }

    /// `2.3 KB`, `binary, 4.1 MB`, `50.0 MB (first 1.0 MB kept)`.
    pub fn size_words(&self) -> String {
        let mut words = human_size(self.bytes);
        if self.binary {
            words = format!("binary, {words}");
        }
        if self.truncated {
            words.push_str(&format!(" (first {} kept)", human_size(self.stored_bytes)));
        }
        words
    }

    /// Whether `stored` is the output this entry recorded: its size and
    /// SHA-256, and, when nothing was cut, the whole stream's hash too.
    pub fn check_stored(&self, stored: &[u8]) -> Result<(), String> {
        if stored.len() as u64 != self.stored_bytes {
            return Err(format!(
                "the stored output is {} bytes; the entry recorded {}",
                stored.len(),
                self.stored_bytes
            ));
        }
        let hash = sha256_hex(stored);
        if hash != self.stored_sha256 || (!self.truncated && hash != self.sha256) {
            return Err("the stored output does not match the SHA-256 the entry recorded".into());
        }
        Ok(())
    }
}

/// `512 B`, `2.3 KB`, `50.0 MB`, `1.2 GB` (powers of 1000, as `ls --si`).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// An output as it streams past: the first [`KEPT_BYTES`] kept, every byte
/// counted and hashed, so memory stays bounded whatever the size.
pub struct Capture {
    kept: Vec<u8>,
    limit: usize,
    total: u64,
    whole: Sha256,
}

impl Default for Capture {
    fn default() -> Capture {
        Capture::keeping(KEPT_BYTES)
    }
}

/// A finished capture: what is stored and the facts the entry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    pub kept: Vec<u8>,
    pub bytes: u64,
    pub sha256: String,
    pub stored_sha256: String,
    pub truncated: bool,
    pub binary: bool,
}

/// What is recorded besides the captured bytes: what, where, when, how it ended.
pub struct Circumstances {
    pub source: Source,
    pub host: String,
    pub cwd: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub exit: Option<Exit>,
}

impl Captured {
    /// The entry's facts and the bytes to store beside it.
    pub fn into_evidence(self, around: Circumstances) -> (Evidence, Vec<u8>) {
        let evidence = Evidence {
            source: around.source,
            host: around.host,
            cwd: around.cwd,
            started_at: around.started_at,
            ended_at: around.ended_at,
            exit: around.exit,
            bytes: self.bytes,
            sha256: self.sha256,
            stored_bytes: self.kept.len() as u64,
            stored_sha256: self.stored_sha256,
            truncated: self.truncated,
            binary: self.binary,
        };
        (evidence, self.kept)
    }
}

impl Capture {
    /// Keeps at most `limit` bytes (tests use a small one).
    pub fn keeping(limit: usize) -> Capture {
        Capture {
            kept: Vec::new(),
            limit,
            total: 0,
            whole: Sha256::new(),
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.whole.update(bytes);
        self.total += bytes.len() as u64;
        let room = self.limit.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }

    pub fn finish(self) -> Captured {
        let truncated = self.total > self.kept.len() as u64;
        let binary = looks_binary(&self.kept, truncated);
        Captured {
            sha256: to_hex(&self.whole.finalize()),
            stored_sha256: sha256_hex(&self.kept),
            bytes: self.total,
            truncated,
            binary,
            kept: self.kept,
        }
    }
}

/// Binary when a NUL byte is in it, or when more than one byte in twenty
/// is not UTF-8 (a few stray Latin-1 bytes in a log keep it text). A
/// character cut by the end of the kept bytes is not held against it.
pub fn looks_binary(bytes: &[u8], cut: bool) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let mut invalid = 0usize;
    let mut rest = bytes;
    while let Err(error) = std::str::from_utf8(rest) {
        let after = error.valid_up_to();
        match error.error_len() {
            Some(len) => {
                invalid += len;
                rest = &rest[after + len..];
            }
            None => {
                if !cut {
                    invalid += rest.len() - after;
                }
                break;
            }
        }
    }
    invalid * 20 > bytes.len()
}

/// Output bytes as text to read: invalid UTF-8 as U+FFFD, terminal line
/// ends (`\r\n`) as line breaks, and colour sequences (SGR: `ESC [ … m`)
/// left out, since they only colour. Every other control character stays,
/// for [`super::sanitize`] to show as a visible stand-in: a hostile
/// sequence is seen, never acted on.
pub fn readable_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(at) = rest.find(['\r', '\u{1b}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let skip = if tail.starts_with("\r\n") {
            out.push('\n');
            2
        } else if let Some(length) = colour_sequence_length(tail) {
            length
        } else {
            // CR and ESC are one byte each; the sanitizer shows them.
            out.push_str(&tail[..1]);
            1
        };
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// The length of the SGR sequence `text` starts with (`ESC [ 1;32 m`), if it does.
fn colour_sequence_length(text: &str) -> Option<usize> {
    let parameters = text.strip_prefix("\u{1b}[")?;
    let end = parameters.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    parameters[end..].starts_with('m').then_some(2 + end + 1)
}

/// `argv` as one command line a shell would read back the same: words with
/// only safe characters as they are, others in single quotes, control
/// characters as `$'\n'`.
pub fn command_line(argv: &[String]) -> String {
    argv.iter()
        .map(|arg| shell_word(arg))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_word(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        return word.to_string();
    }
    if word.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in word.chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_keeps_its_bound_and_hashes_everything() {
        let mut capture = Capture::keeping(4);
        capture.push(b"hel");
        capture.push(b"lo world");
        let done = capture.finish();
        assert_eq!(done.kept, b"hell");
        assert_eq!(done.bytes, 11);
        assert!(done.truncated);
        assert_eq!(done.sha256, sha256_hex(b"hello world"));
        assert_eq!(done.stored_sha256, sha256_hex(b"hell"));
        let whole = Capture::keeping(64);
        let done = {
            let mut c = whole;
            c.push(b"out\nerr\n");
            c.finish()
        };
        assert!(!done.truncated && !done.binary);
        assert_eq!(done.sha256, done.stored_sha256);
    }

    #[test]
    fn binary_is_told_from_text() {
        assert!(looks_binary(b"abc\0def", false));
        assert!(!looks_binary("caf\u{e9} au lait".as_bytes(), false));
        assert!(!looks_binary(
            b"one stray \xe9 byte in a long enough line of text",
            false
        ));
        assert!(looks_binary(&[0xff; 100], false));
        // A character cut by the bound is not binary; the same at the real end is.
        let cut = &"é".as_bytes()[..1];
        assert!(!looks_binary(
            &[b"abcdefghijklmnopqrstuvwxyz".as_slice(), cut].concat(),
            true
        ));
        assert!(looks_binary(cut, false));
    }

    #[test]
    fn readable_text_drops_colours_and_keeps_hostile_sequences_visible() {
        let raw = b"\x1b[32mRunning\x1b[0m\r\nnext\x1b]0;owned\x07 \x1b[2J";
        let text = readable_text(raw);
        assert_eq!(text, "Running\nnext\u{1b}]0;owned\u{7} \u{1b}[2J");
        let shown = crate::domain::sanitize(&text);
        assert!(!shown.contains('\u{1b}') && !shown.contains('\u{7}'), "{shown}");
    }

    #[test]
    fn command_lines_read_back_as_typed() {
        let argv = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            command_line(&argv(&["kubectl", "get", "pods", "-n", "payments"])),
            "kubectl get pods -n payments"
        );
        assert_eq!(
            command_line(&argv(&["sh", "-c", "echo out; echo err >&2; exit 3"])),
            "sh -c 'echo out; echo err >&2; exit 3'"
        );
        assert_eq!(command_line(&argv(&["echo", "it's", ""])), r#"echo 'it'\''s' ''"#);
        assert_eq!(
            command_line(&argv(&["printf", "a\nb\u{1b}"])),
            r"printf $'a\nb\u001b'"
        );
    }

    #[test]
    fn sizes_and_endings_read_as_words() {
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(2_300), "2.3 KB");
        assert_eq!(human_size(50_000_000), "50.0 MB");
        assert_eq!(human_size(999_999), "1.0 MB");
        assert_eq!(Exit::Code(3).status(), 3);
        assert_eq!(Exit::Signal(2).status(), 130);
        assert_eq!(Exit::Signal(2).describe(), "interrupted (SIGINT)");
        assert_eq!(Exit::Signal(15).describe(), "killed by SIGTERM");
    }

    #[test]
    fn the_stored_bytes_are_checked_against_both_hashes() {
        let mut capture = Capture::keeping(KEPT_BYTES);
        capture.push(b"out\nerr\n");
        let done = capture.finish();
        let evidence = Evidence {
            source: Source::Run {
                command: "sh -c x".into(),
            },
            host: "h".into(),
            cwd: "/".into(),
            started_at: DateTime::default(),
            ended_at: DateTime::default(),
            exit: Some(Exit::Code(3)),
            bytes: done.bytes,
            sha256: done.sha256.clone(),
            stored_bytes: done.kept.len() as u64,
            stored_sha256: done.stored_sha256.clone(),
            truncated: false,
            binary: false,
        };
        assert_eq!(evidence.check_stored(b"out\nerr\n"), Ok(()));
        assert!(evidence.check_stored(b"out\nERR\n").is_err());
        assert!(evidence.check_stored(b"out\n").is_err());
        assert_eq!(evidence.entry_text(), "$ sh -c x  exit 3  8 B");
    }
}
