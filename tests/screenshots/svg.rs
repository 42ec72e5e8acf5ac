//! A vt100 screen drawn as SVG: one monospace text run per stretch of cells
//! in one style, cell backgrounds as rectangles, the cursor, and a window
//! frame; and an animation built from screens, in which each row of each
//! frame is kept only while it differs from the row before it.

use std::fmt::Write;
use std::time::Duration;

/// A cell's width and height in pixels, for a 14 px monospace font.
const CELL_WIDTH: f64 = 8.4;
const CELL_HEIGHT: f64 = 17.0;
const FONT_SIZE: f64 = 14.0;
/// Where the text baseline sits within a cell.
const BASELINE: f64 = 13.0;
/// Room around the cells, and the title bar above them.
const PADDING: f64 = 12.0;
const TITLE_BAR: f64 = 30.0;

const FOREGROUND: &str = "#c5c8c6";
const BACKGROUND: &str = "#1d1f21";
/// The 16 basic colours (Tomorrow Night): a palette that reads well on a
/// dark background, which is what the console is told it has (COLORFGBG).
const BASIC: [&str; 16] = [
    "#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6", "#666666",
    "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea",
];

/// The SVG's width and height for a terminal of `cols`×`rows`.
pub fn dimensions(cols: u16, rows: u16) -> (f64, f64) {
    (
        f64::from(cols) * CELL_WIDTH + 2.0 * PADDING,
        f64::from(rows) * CELL_HEIGHT + TITLE_BAR + PADDING,
    )
}

/// A number as SVG wants it: at most two decimals, no trailing zeros.
fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Text made safe for XML: markup characters escaped, and characters XML
/// cannot carry at all (control characters) shown as U+FFFD.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push(' '),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A palette colour (xterm's 256) as `#rrggbb`.
fn indexed(index: u8) -> String {
    match index {
        0..=15 => BASIC[usize::from(index)].to_string(),
        16..=231 => {
            let level = |n: u8| if n == 0 { 0 } else { 55 + 40 * n };
            let n = index - 16;
            format!(
                "#{:02x}{:02x}{:02x}",
                level(n / 36),
                level(n / 6 % 6),
                level(n % 6)
            )
        }
        232..=255 => {
            let grey = 8 + 10 * (index - 232);
            format!("#{grey:02x}{grey:02x}{grey:02x}")
        }
    }
}

fn colour(colour: vt100::Color, default: &str) -> String {
    match colour {
        vt100::Color::Default => default.to_string(),
        vt100::Color::Idx(index) => indexed(index),
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

/// How a cell's text is drawn, reverse video already applied.
#[derive(Clone, PartialEq, Eq)]
struct Style {
    foreground: String,
    background: String,
    bold: bool,
    dim: bool,
    italic: bool,
    underline: bool,
}

impl Style {
    fn of(cell: &vt100::Cell) -> Style {
        let mut foreground = colour(cell.fgcolor(), FOREGROUND);
        let mut background = colour(cell.bgcolor(), BACKGROUND);
        if cell.inverse() {
            std::mem::swap(&mut foreground, &mut background);
        }
        Style {
            foreground,
            background,
            bold: cell.bold(),
            dim: cell.dim(),
            italic: cell.italic(),
            underline: cell.underline(),
        }
    }

    /// The attributes of a `<text>` in this style (the default colour is
    /// inherited from the cells' group: a stylesheet's fill would override
    /// every presentation attribute).
    fn text_attributes(&self) -> String {
        let mut attributes = String::new();
        if self.foreground != FOREGROUND {
            let _ = write!(attributes, " fill=\"{}\"", self.foreground);
        }
        if self.bold {
            attributes.push_str(" font-weight=\"bold\"");
        }
        if self.dim {
            attributes.push_str(" opacity=\".6\"");
        }
        if self.italic {
            attributes.push_str(" font-style=\"italic\"");
        }
        if self.underline {
            attributes.push_str(" text-decoration=\"underline\"");
        }
        attributes
    }
}

/// Cells in one style: from column `start`, `width` columns, their text.
struct Run {
    start: u16,
    width: u16,
    text: String,
    style: Style,
}

fn runs(screen: &vt100::Screen, row: u16) -> Vec<Run> {
    let (_, cols) = screen.size();
    let mut runs: Vec<Run> = Vec::new();
    for col in 0..cols.get() {
        let Some(cell) = screen.cell(row, col) else {
            continue;
        };
        // The right half of a wide character belongs to the cell before it.
        if cell.is_wide_continuation() {
            continue;
        }
        let style = Style::of(cell);
        let text = if cell.has_contents() { cell.contents() } else { " " };
        let width = if cell.is_wide() { 2 } else { 1 };
        match runs.last_mut() {
            Some(run) if run.style == style && run.start + run.width == col => {
                run.text.push_str(text);
                run.width += width;
            }
            _ => runs.push(Run {
                start: col,
                width,
                text: text.to_string(),
                style,
            }),
        }
    }
    runs
}

/// One row as SVG elements: backgrounds, then text, then the cursor.
pub fn row(screen: &vt100::Screen, row: u16) -> String {
    let y = f64::from(row) * CELL_HEIGHT;
    let mut out = String::new();
    let runs = runs(screen, row);
    for run in runs.iter().filter(|run| run.style.background != BACKGROUND) {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
            num(f64::from(run.start) * CELL_WIDTH),
            num(y),
            num(f64::from(run.width) * CELL_WIDTH),
            num(CELL_HEIGHT),
            run.style.background
        );
    }
    for run in &runs {
        // Blank cells need no text; leading blanks only move the start.
        let body = run.text.trim_end_matches(' ');
        let text = body.trim_start_matches(' ');
        if text.is_empty() {
            continue;
        }
        let skipped = (body.len() - text.len()) as u16;
        let columns = run.width - skipped - (run.text.len() - body.len()) as u16;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" textLength=\"{}\"{}>{}</text>",
            num(f64::from(run.start + skipped) * CELL_WIDTH),
            num(y + BASELINE),
            num(f64::from(columns) * CELL_WIDTH),
            run.style.text_attributes(),
            xml_text(text)
        );
    }
    let (cursor_row, cursor_col) = screen.cursor_position();
    if !screen.hide_cursor() && cursor_row == row {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{FOREGROUND}\" opacity=\".6\"/>",
            num(f64::from(cursor_col) * CELL_WIDTH),
            num(y),
            num(CELL_WIDTH),
            num(CELL_HEIGHT)
        );
    }
    out
}

/// The document around the cells: size, font, window and title.
fn document(cols: u16, rows: u16, title: &str, cells: &str) -> String {
    let (width, height) = dimensions(cols, rows);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xml:space=\"preserve\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"'DejaVu Sans Mono','Menlo','Consolas','Liberation Mono',monospace\" font-size=\"{font}\">\
         <style>text{{white-space:pre}}</style>\
         <rect width=\"{w}\" height=\"{h}\" rx=\"8\" fill=\"{BACKGROUND}\"/>\
         <circle cx=\"18\" cy=\"15\" r=\"6\" fill=\"#ff5f57\"/><circle cx=\"38\" cy=\"15\" r=\"6\" fill=\"#febc2e\"/>\
         <circle cx=\"58\" cy=\"15\" r=\"6\" fill=\"#28c840\"/>\
         <text x=\"{mid}\" y=\"20\" text-anchor=\"middle\" fill=\"#8c8c8c\" font-family=\"sans-serif\" font-size=\"13\">{title}</text>\
         <g transform=\"translate({PADDING},{TITLE_BAR})\" fill=\"{FOREGROUND}\">{cells}</g></svg>\n",
        w = num(width),
        h = num(height),
        font = num(FONT_SIZE),
        mid = num(width / 2.0),
        title = xml_text(title),
    )
}

/// The whole screen as a still picture.
pub fn still(screen: &vt100::Screen, title: &str) -> String {
    let (rows, cols) = screen.size();
    let cells: String = (0..rows.get()).map(|n| row(screen, n)).collect();
    document(cols.get(), rows.get(), title, &cells)
}

/// A screen captured at a moment of the recording: its rows as SVG.
pub struct Frame {
    pub at: Duration,
    pub rows: Vec<String>,
}

impl Frame {
    pub fn of(screen: &vt100::Screen, at: Duration) -> Frame {
        let (rows, _) = screen.size();
        Frame {
            at,
            rows: (0..rows.get()).map(|n| row(screen, n)).collect(),
        }
    }
}

/// The frames as one looping animation of `length`: each version of a row is
/// a group shown (SMIL, discrete) from the frame that drew it until the row
/// changes again; without animation the last frame shows.
pub fn animation(cols: u16, rows: u16, title: &str, frames: &[Frame], length: Duration) -> String {
    let total = length.as_secs_f64();
    let fraction = |at: Duration| (at.as_secs_f64() / total).clamp(0.0, 1.0);
    let mut cells = String::new();
    for index in 0..usize::from(rows) {
        // (from, to, row) for each stretch in which the row stays the same.
        let mut versions: Vec<(Duration, Duration, &str)> = Vec::new();
        for frame in frames {
            let Some(text) = frame.rows.get(index) else {
                continue;
            };
            match versions.last_mut() {
                Some(last) if last.2 == text.as_str() => {}
                Some(last) => {
                    last.1 = frame.at;
                    versions.push((frame.at, length, text));
                }
                None => versions.push((frame.at, length, text)),
            }
        }
        for (from, to, text) in versions {
            // An empty row draws nothing; a row replaced at once is never seen.
            if text.is_empty() || from == to {
                continue;
            }
            let (start, end) = (fraction(from), fraction(to));
            let shown_at_end = to >= length;
            let (values, key_times) = match (start <= 0.0, shown_at_end) {
                (true, true) => {
                    cells.push_str(text);
                    continue;
                }
                (true, false) => ("visible;hidden".to_string(), format!("0;{}", fraction_text(end))),
                (false, true) => (
                    "hidden;visible".to_string(),
                    format!("0;{}", fraction_text(start)),
                ),
                (false, false) => (
                    "hidden;visible;hidden".to_string(),
                    format!("0;{};{}", fraction_text(start), fraction_text(end)),
                ),
            };
            let _ = write!(
                cells,
                "<g visibility=\"{}\"><animate attributeName=\"visibility\" values=\"{values}\" \
                 keyTimes=\"{key_times}\" dur=\"{}s\" calcMode=\"discrete\" repeatCount=\"indefinite\"/>{text}</g>",
                if shown_at_end { "visible" } else { "hidden" },
                num(total)
            );
        }
    }
    document(cols, rows, title, &cells)
}

/// A key time: enough decimals to place a frame within a few milliseconds.
fn fraction_text(value: f64) -> String {
    let text = format!("{value:.5}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
