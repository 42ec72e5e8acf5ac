//! Long outputs (the post-mortem, JSON of a long incident) are written as
//! they are made rather than built whole; what reaches the writer passes a
//! cleaning function a line at a time. Whole lines give the function what it
//! would have seen of the whole text: the sanitizer's one look at
//! neighbouring characters (a joiner between two pictographs) never spans a
//! line break, and the JSON escaper looks at one character at a time.

use std::borrow::Cow;
use std::io::{self, Write};

/// Makes a line safe to print: [`crate::domain::sanitize`] or
/// [`crate::domain::escape_json_output`].
pub type Cleaner = for<'a> fn(&'a str) -> Cow<'a, str>;

/// A writer that holds back the current line until its end, then writes it
/// cleaned. Memory is that of the longest line; [`SafeLines::finish`]
/// writes the last line when it has no line break.
pub struct SafeLines<W: Write> {
    inner: W,
    line: Vec<u8>,
    clean: Cleaner,
}

impl<W: Write> SafeLines<W> {
    pub fn new(inner: W, clean: Cleaner) -> SafeLines<W> {
        SafeLines {
            inner,
            line: Vec::new(),
            clean,
        }
    }

    fn write_line(&mut self) -> io::Result<()> {
        // Every writer here writes whole characters; a stray byte shows as
        // U+FFFD rather than passing raw.
        let text = String::from_utf8_lossy(&self.line);
        self.inner.write_all((self.clean)(&text).as_bytes())?;
        self.line.clear();
        Ok(())
    }

    /// Writes what is left of the last line and flushes; the inner writer back.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.line.is_empty() {
            self.write_line()?;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for SafeLines<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            self.line.extend_from_slice(&rest[..=end]);
            self.write_line()?;
            rest = &rest[end + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(bytes.len())
    }

    /// Flushes the lines written so far; a line still open stays held.
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{escape_json_output, sanitize};

    /// Written in pieces of every size, the output is the text cleaned whole.
    #[test]
    fn pieces_of_any_size_clean_like_the_whole() {
        let text = "a\u{1b}]0;x\u{7}b\n👨\u{200D}👩 ok\u{200D}\n\u{202E}x\r\nlast 😀\u{200D}";
        let whole = sanitize(text).into_owned();
        for size in 1..=text.len() {
            let mut lines = SafeLines::new(Vec::new(), sanitize);
            // Pieces cut at character boundaries, as writers of text cut them.
            let mut start = 0;
            while start < text.len() {
                let mut end = (start + size).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                lines.write_all(&text.as_bytes()[start..end]).unwrap();
                start = end;
            }
            let out = String::from_utf8(lines.finish().unwrap()).unwrap();
            assert_eq!(out, whole, "pieces of {size}");
        }
        let json = "{\n  \"t\": \"\u{9b}2J\u{202E}\"\n}";
        let mut lines = SafeLines::new(Vec::new(), escape_json_output);
        lines.write_all(json.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(lines.finish().unwrap()).unwrap(),
            escape_json_output(json)
        );
    }
}
