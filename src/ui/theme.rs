//! Colours and emphasis. Everything that colour says is also said in words or
//! with bold/reverse, so the console reads the same under `NO_COLOR` and on
//! 16-colour terminals (only the 8 basic colours and their bright forms are
//! used; the console writes them as 16-colour sequences where `TERM` has no
//! more). Secondary text is the terminal's own colour, dimmed: grey (colour
//! 8) is the background itself on Solarized Dark. Foreground colours are
//! chosen for the background (`theme` in the config): bright ones vanish on
//! white, dark blue on black; with the background unknown only colours that
//! read on both are used.

use ratatui::style::{Color, Modifier, Style};

use crate::config::Background;
use crate::domain::Severity;
use crate::domain::clock::Urgency;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub colors: bool,
    pub background: Background,
}

impl Theme {
    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.colors { colored } else { plain }
    }

    /// `on_dark` on a dark background, `otherwise` on a light or unknown one.
    fn by_background(&self, on_dark: Color, otherwise: Color) -> Color {
        if self.background == Background::Dark {
            on_dark
        } else {
            otherwise
        }
    }

    pub fn severity(&self, severity: Severity) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match severity {
            Severity::P0 => self.pick(
                bold.fg(Color::White).bg(Color::Red),
                bold.add_modifier(Modifier::REVERSED),
            ),
            Severity::P1 => self.pick(bold.fg(Color::Black).bg(Color::LightRed), bold),
            Severity::P2 => self.pick(bold.fg(Color::Black).bg(Color::Yellow), bold),
            Severity::P3 => self.pick(Style::new().fg(Color::Black).bg(Color::Cyan), Style::new()),
        }
    }

    pub fn urgency(&self, urgency: Urgency) -> Style {
        match urgency {
            Urgency::Calm => self.pick(Style::new().fg(Color::Green), Style::new()),
            // Yellow text fades on white: a yellow cell with black text reads on both.
            Urgency::Near => self.pick(
                Style::new()
                    .fg(Color::Black)
                    .bg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Urgency::Overdue => self.pick(
                Style::new()
                    .fg(Color::White)
                    .bg(Color::Red)
                    .add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            ),
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.pick(
                Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
                Style::new().add_modifier(Modifier::BOLD),
            )
        } else {
            self.dim()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text: the terminal's foreground, dimmed (never colour 8).
    pub fn dim(&self) -> Style {
        self.pick(Style::new().add_modifier(Modifier::DIM), Style::new())
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn done(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn error(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.by_background(Color::LightRed, Color::Red))
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn key(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn status_update(&self) -> Style {
        self.pick(
            Style::new()
                .fg(self.by_background(Color::LightMagenta, Color::Magenta))
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    /// The DRILL badge: unmissable, and reversed so it reads without colour.
    pub fn drill(&self) -> Style {
        self.pick(
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    }

    pub fn severity_change(&self) -> Style {
        self.pick(
            self.error(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn role_change(&self) -> Style {
        self.pick(
            Style::new().fg(self.by_background(Color::LightCyan, Color::Cyan)),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }

    /// A steady colour per account, so a responder's entries are easy to follow.
    pub fn author(&self, account: &str) -> Style {
        const ON_DARK: &[Color] = &[
            Color::LightBlue,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightMagenta,
            Color::LightCyan,
            Color::LightRed,
        ];
        const ON_LIGHT: &[Color] = &[Color::Blue, Color::Red, Color::Magenta, Color::Green, Color::Cyan];
        // Read on black and on white alike (and on both Solarized backgrounds).
        const ON_EITHER: &[Color] = &[Color::Red, Color::Magenta, Color::Cyan, Color::Green];
        let palette = match self.background {
            Background::Dark => ON_DARK,
            Background::Light => ON_LIGHT,
            Background::Unknown => ON_EITHER,
        };
        let hash = account
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
        self.pick(
            Style::new().fg(palette[hash as usize % palette.len()]),
            Style::new(),
        )
    }

    /// Every foreground colour a theme can give text drawn on the terminal's
    /// own background (not on a coloured cell), for the palette tests.
    pub fn text_colors(&self) -> Vec<Color> {
        let mut styles = vec![
            self.urgency(Urgency::Calm),
            self.border(true),
            self.border(false),
            self.dim(),
            self.done(),
            self.error(),
            self.key(),
            self.status_update(),
            self.severity_change(),
            self.role_change(),
        ];
        styles.extend((0..64).map(|n| self.author(&format!("account{n}"))));
        let mut colors: Vec<Color> = styles.iter().filter_map(|s| s.fg).collect();
        colors.sort_by_key(|c| format!("{c:?}"));
        colors.dedup();
        colors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_text_is_dimmed_never_grey() {
        for background in [Background::Dark, Background::Light, Background::Unknown] {
            let theme = Theme {
                colors: true,
                background,
            };
            assert_eq!(theme.dim(), Style::new().add_modifier(Modifier::DIM));
            let colors = theme.text_colors();
            for grey in [Color::DarkGray, Color::Gray, Color::Black, Color::White] {
                assert!(!colors.contains(&grey), "{background:?}: {grey:?} in {colors:?}");
            }
        }
    }

    #[test]
    fn no_bright_text_on_light_and_no_dark_blue_on_dark() {
        let on = |background| Theme {
            colors: true,
            background,
        };
        let bright = [
            Color::LightRed,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightBlue,
            Color::LightMagenta,
            Color::LightCyan,
            Color::Yellow,
        ];
        for background in [Background::Light, Background::Unknown] {
            let colors = on(background).text_colors();
            assert!(
                colors.iter().all(|c| !bright.contains(c)),
                "{background:?}: {colors:?}"
            );
        }
        for background in [Background::Dark, Background::Unknown] {
            let colors = on(background).text_colors();
            assert!(!colors.contains(&Color::Blue), "{background:?}: {colors:?}");
        }
        let plain = Theme {
            colors: false,
            background: Background::Dark,
        };
        assert!(plain.text_colors().is_empty(), "NO_COLOR: no colour at all");
    }
}
