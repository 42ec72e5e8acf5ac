//! The one place where untrusted text is made safe to show.
//!
//! Anything read from the database (or a runbook, an import file, an account
//! name) may hold bytes meant for a terminal: OSC sequences that retitle a
//! window or write the clipboard, CSI sequences that clear the screen, a lone
//! carriage return that overwrites a line, bidi overrides that reorder text,
//! zero-width characters that hide it. Every such character is replaced by a
//! visible stand-in, so the reader sees that it was there and the terminal
//! never acts on it.

use std::borrow::Cow;

/// Makes `text` safe for any terminal, keeping line breaks.
///
/// * C0 controls and DEL become their Unicode control pictures (`ESC` → `␛`,
///   CR → `␍`, NUL → `␀`), so an escape sequence shows as `␛]0;title␇`;
/// * tabs become a space;
/// * C1 controls, bidi controls, zero-width and other invisible formatting
///   characters become `<U+XXXX>`;
/// * a zero-width joiner between two pictographs is kept, so emoji sequences
///   still render.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\u{200D}'
                if previous.is_some_and(is_pictograph)
                    && chars.peek().copied().is_some_and(is_pictograph) =>
            {
                out.push(c)
            }
            c if (c as u32) < 0x20 => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7F}' => out.push('␡'),
            c if is_invisible(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
        previous = Some(c);
    }
    Cow::Owned(out)
}

/// [`sanitize`] for places with room for one line only (table cells, headers):
/// line breaks become `⏎`.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    match sanitize(text) {
        Cow::Borrowed(clean) if !clean.contains('\n') => Cow::Borrowed(clean),
        other => Cow::Owned(other.replace('\n', " ⏎ ")),
    }
}

fn needs_escape(c: char) -> bool {
    (c != '\n' && (c as u32) < 0x20) || c == '\u{7F}' || is_invisible(c)
}

/// Characters that change how text is laid out or hide it without drawing a
/// glyph of their own.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9F}'          // C1 controls (8-bit CSI, OSC, …)
        | '\u{AD}'                   // soft hyphen
        | '\u{34F}'                  // combining grapheme joiner
        | '\u{61C}'                  // Arabic letter mark
        | '\u{115F}' | '\u{1160}'    // Hangul fillers
        | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'    // Mongolian selectors and vowel separator
        | '\u{200B}'..='\u{200F}'    // zero-width space/joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}'    // line and paragraph separators
        | '\u{202A}'..='\u{202E}'    // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'    // word joiner, invisible operators, bidi isolates
        | '\u{3164}'                 // Hangul filler
        | '\u{FEFF}'                 // zero-width no-break space / BOM
        | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'    // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}'  // musical formatting
        | '\u{E0000}'..='\u{E007F}'  // tag characters
    )
}

fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{FE0F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        let text = "db-1 failover done — ok ✅ 数据库";
        assert!(matches!(sanitize(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(sanitize("\x1b]0;pwned\x07hi"), "␛]0;pwned␇hi");
        assert_eq!(sanitize("\x1b[2J"), "␛[2J");
        assert_eq!(sanitize("a\rb\x08\x00"), "a␍b␈␀");
        assert_eq!(sanitize("\u{9b}31m"), "<U+009B>31m");
        assert_eq!(sanitize("x\x7f"), "x␡");
    }

    #[test]
    fn invisible_and_bidi_characters_are_named() {
        assert_eq!(sanitize("a\u{202E}b"), "a<U+202E>b");
        assert_eq!(sanitize("a\u{200B}b\u{2066}"), "a<U+200B>b<U+2066>");
        assert_eq!(sanitize("\u{FEFF}x"), "<U+FEFF>x");
    }

    #[test]
    fn emoji_sequences_survive_but_a_lone_joiner_does_not() {
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(sanitize(family), family);
        assert_eq!(sanitize("a\u{200D}b"), "a<U+200D>b");
    }

    #[test]
    fn lines_and_tabs() {
        assert_eq!(sanitize("one\ntwo\tthree"), "one\ntwo three");
        assert_eq!(sanitize_line("one\ntwo"), "one ⏎ two");
        assert_eq!(sanitize_line("plain"), "plain");
    }
}

/// Makes serialized JSON safe to print without changing what it means:
/// characters a terminal could act on that JSON leaves raw (C1 controls,
/// bidi and invisible characters) are written as `\uXXXX` escapes, which
/// only ever occur inside JSON strings. C0 controls are already escaped by
/// every JSON serializer.
pub fn escape_json_output(json: &str) -> Cow<'_, str> {
    if !json.chars().any(|c| is_invisible(c) || c == '\u{7F}') {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_invisible(c) || c == '\u{7F}' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn json_output_keeps_its_meaning_but_loses_raw_controls() {
        let value = serde_json::json!({ "text": "a\u{9b}2J\u{202E}b\u{E0041}\u{1b}" });
        let printed = serde_json::to_string(&value).unwrap();
        let safe = escape_json_output(&printed);
        assert!(!safe.chars().any(|c| is_invisible(c) || c.is_control()), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
