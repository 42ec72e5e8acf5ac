//! Colours and emphasis. Everything that colour says is also said in words or
//! with bold/reverse, so the console reads the same under `NO_COLOR` and on
//! 16-colour terminals (only the 8 basic colours and their bright forms are used).

use ratatui::style::{Color, Modifier, Style};

use crate::domain::Severity;
use crate::domain::clock::Urgency;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub colors: bool,
}

impl Theme {
    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.colors { colored } else { plain }
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
            Urgency::Near => self.pick(
                Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
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
            self.pick(Style::new().fg(Color::DarkGray), Style::new())
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn done(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn error(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
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
            Style::new().fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
        )
    }

    pub fn severity_change(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )
    }

    pub fn role_change(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightCyan),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }

    /// A steady colour per account, so a responder's entries are easy to follow.
    pub fn author(&self, account: &str) -> Style {
        const PALETTE: [Color; 6] = [
            Color::LightBlue,
            Color::LightGreen,
            Color::LightYellow,
            Color::LightMagenta,
            Color::LightCyan,
            Color::LightRed,
        ];
        let hash = account
            .bytes()
            .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
        self.pick(
            Style::new().fg(PALETTE[hash as usize % PALETTE.len()]),
            Style::new(),
        )
    }
}
