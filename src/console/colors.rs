//! How many colours the terminal has, and writing no more than that.
//!
//! crossterm writes every colour, even the 16 basic ones, as a 256-colour
//! sequence (`ESC[38;5;9m`). A terminal without 256 colours (`vt100`,
//! `linux`, plain `xterm`) shows those wrongly or not at all, so for it the
//! output passes through [`BasicColors`], which rewrites them into the
//! 16-colour forms (`ESC[91m`) before they reach the terminal.

use std::io::{self, Write};

/// The colour sequences a terminal understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorDepth {
    /// The 8 basic colours and their bright forms (SGR 30–37, 90–97).
    Basic16,
    /// 256 colours (`38;5;N`) or more.
    Indexed256,
}

/// Decided from the environment, as terminals announce themselves: a
/// `TERM` ending in `256color`/`direct`/`truecolor`, or `COLORTERM` of
/// `truecolor`/`24bit`, has 256 colours; anything else (`vt100`, `linux`,
/// `xterm`, `screen`) gets 16.
pub fn color_depth(term: Option<&str>, colorterm: Option<&str>) -> ColorDepth {
    let term = term.unwrap_or_default();
    let rich_term = ["256color", "direct", "truecolor"]
        .iter()
        .any(|suffix| term.ends_with(suffix));
    let rich_colorterm = matches!(colorterm, Some("truecolor" | "24bit"));
    if rich_term || rich_colorterm {
        ColorDepth::Indexed256
    } else {
        ColorDepth::Basic16
    }
}

/// A writer that holds a frame until it is flushed, then writes it with
/// every 256-colour and truecolour SGR parameter turned into its 16-colour
/// form. Holding the frame means an escape sequence is never seen in halves.
pub struct BasicColors<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> BasicColors<W> {
    pub fn new(inner: W) -> Self {
        BasicColors {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for BasicColors<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let (rewritten, rest) = downgrade(&self.pending);
        self.inner.write_all(&rewritten)?;
        self.pending = rest;
        self.inner.flush()
    }
}

/// Rewrites the SGR sequences of `bytes`; returns the rewritten bytes and an
/// unfinished sequence at the end, kept for the next flush.
fn downgrade(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at..].starts_with(b"\x1b[") {
            out.push(bytes[at]);
            at += 1;
            continue;
        }
        let params_start = at + 2;
        let Some(length) = bytes[params_start..]
            .iter()
            .position(|b| !(b.is_ascii_digit() || *b == b';' || *b == b':'))
        else {
            return (out, bytes[at..].to_vec());
        };
        let end = params_start + length;
        if bytes[end] == b'm' {
            out.extend_from_slice(b"\x1b[");
            out.extend_from_slice(basic_sgr(&bytes[params_start..end]).as_bytes());
            out.push(b'm');
        } else {
            out.extend_from_slice(&bytes[at..=end]);
        }
        at = end + 1;
    }
    (out, Vec::new())
}

/// SGR parameters with `38;5;N`, `48;5;N` (N < 16) in their basic forms;
/// other extended colours (never used by the theme) become the default
/// colour, and underline colours are dropped.
fn basic_sgr(params: &[u8]) -> String {
    let text = String::from_utf8_lossy(params);
    let parts: Vec<&str> = text.split([';', ':']).collect();
    let mut out: Vec<String> = Vec::new();
    let mut index = 0;
    while index < parts.len() {
        let part = parts[index];
        let layer = match part {
            "38" => Some((30, 90, 39)),
            "48" => Some((40, 100, 49)),
            "58" => Some((0, 0, 0)),
            _ => None,
        };
        let Some((base, bright, default)) = layer else {
            out.push(part.to_string());
            index += 1;
            continue;
        };
        let (color, used) = match parts.get(index + 1) {
            Some(&"5") => (parts.get(index + 2).and_then(|n| n.parse::<u8>().ok()), 3),
            Some(&"2") => (None, 5),
            _ => (None, 1),
        };
        index += used;
        if part == "58" {
            continue;
        }
        out.push(match color {
            Some(n @ 0..=7) => (base + u16::from(n)).to_string(),
            Some(n @ 8..=15) => (bright + u16::from(n - 8)).to_string(),
            _ => default.to_string(),
        });
    }
    if out.is_empty() {
        // `ESC[m` would reset everything; an emptied sequence changes nothing.
        return "39".to_string();
    }
    out.join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(bytes: &[u8]) -> String {
        let mut writer = BasicColors::new(Vec::new());
        writer.write_all(bytes).unwrap();
        writer.flush().unwrap();
        String::from_utf8(writer.inner).unwrap()
    }

    #[test]
    fn terminals_without_256_colours_get_16() {
        for term in ["vt100", "linux", "xterm", "screen", "xterm-color", ""] {
            assert_eq!(color_depth(Some(term), None), ColorDepth::Basic16, "{term}");
        }
        for term in [
            "xterm-256color",
            "tmux-256color",
            "screen-256color",
            "xterm-direct",
        ] {
            assert_eq!(color_depth(Some(term), None), ColorDepth::Indexed256, "{term}");
        }
        assert_eq!(
            color_depth(Some("xterm"), Some("truecolor")),
            ColorDepth::Indexed256
        );
        assert_eq!(color_depth(None, None), ColorDepth::Basic16);
    }

    #[test]
    fn rewrites_colours_and_keeps_everything_else() {
        assert_eq!(through(b"\x1b[38;5;9mx\x1b[48;5;1my"), "\x1b[91mx\x1b[41my");
        assert_eq!(through(b"\x1b[38;5;0;48;5;11m"), "\x1b[30;103m");
        assert_eq!(through(b"\x1b[1m\x1b[2m\x1b[39;49m"), "\x1b[1m\x1b[2m\x1b[39;49m");
        assert_eq!(through(b"\x1b[38;2;1;2;3mz"), "\x1b[39mz");
        assert_eq!(through(b"\x1b[58;5;3m"), "\x1b[39m");
        assert_eq!(through(b"\x1b[38;5;200m"), "\x1b[39m");
        // Cursor moves and text (UTF-8 included) pass as they are.
        assert_eq!(
            through("\x1b[3;4H数据 ok\x1b[?25l".as_bytes()),
            "\x1b[3;4H数据 ok\x1b[?25l"
        );
    }

    #[test]
    fn a_sequence_cut_by_a_flush_is_finished_at_the_next() {
        let mut writer = BasicColors::new(Vec::new());
        writer.write_all(b"a\x1b[38;5").unwrap();
        writer.flush().unwrap();
        writer.write_all(b";12mb").unwrap();
        writer.flush().unwrap();
        assert_eq!(String::from_utf8(writer.inner).unwrap(), "a\x1b[94mb");
    }
}
