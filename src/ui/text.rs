//! Fitting untrusted text into cells: sanitizing, measuring and wrapping by
//! display width (CJK and emoji take two cells).

use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width of `text` in terminal cells.
pub fn width(text: &str) -> usize {
    text.width()
}

/// Cuts `text` to at most `max` cells, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads `text` with spaces to exactly `cells` cells (cutting it if longer).
pub fn pad(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let fill = cells.saturating_sub(cut.width());
    format!("{cut}{}", " ".repeat(fill))
}

/// Wraps already-sanitized `text` to lines of at most `max` cells, breaking
/// at spaces where it can and inside words that are longer than a line.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split(' ') {
            let w = word.width();
            let gap = usize::from(!line.is_empty());
            if used + gap + w <= max {
                if gap == 1 {
                    line.push(' ');
                }
                line.push_str(word);
                used += gap + w;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            // A word longer than a line is broken by character.
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                if used + cw > max && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                }
                line.push(c);
                used += cw;
            }
        }
        lines.push(line);
    }
    lines
}

/// Cuts a styled line to `width` cells, marking the cut with `…`: for rows
/// that must not wrap (a clock each in the timers pane, the incident pane's
/// rows; ratatui's wrapping can run wide text past a border).
pub fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.width();
        if w <= left {
            left -= w;
            spans.push(span);
            continue;
        }
        spans.push(Span::styled(truncate(&span.content, left), span.style));
        break;
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_by_display_width() {
        assert_eq!(wrap("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
        assert_eq!(wrap("数据库故障", 4), vec!["数据", "库故", "障"]);
        assert_eq!(wrap("x\ny", 10), vec!["x", "y"]);
        let long = "a".repeat(25);
        let lines = wrap(&long, 10);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| width(l) <= 10));
    }

    #[test]
    fn truncates_and_pads_by_cells() {
        assert_eq!(truncate("incident", 5), "inci…");
        assert_eq!(truncate("数据库", 4), "数…");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(width(&pad("数据库", 5)), 5);
    }
}
