//! The header line: id, severity and title on the left; on the right what
//! needs the commander, most urgent first (an overdue status update, due
//! timers by name, an overdue phase), then the phase and `T+` (once
//! resolved: `RESOLVED` with `T+` frozen, and the post-mortem countdown) and
//! the IC.
//! When the line is too short the title gives way first, then the least
//! urgent badges are cut, marked with `…`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{truncate, width};
use super::theme::Theme;
use super::timers::{countdown, update_overdue};
use crate::app::App;
use crate::domain::clock::{self, Urgency};
use crate::domain::sanitize_line;
use crate::domain::time::format_duration;
use crate::view::{Attention, IncidentView, Postmortem};

/// The title keeps this many columns (with its `…`) before badges are cut.
const TITLE_KEEPS: usize = 12;
/// A badge is cut only if this many columns of it stay (with its `…`).
const CUT_BADGE_KEEPS: usize = 6;
/// A due timer's label in the header is cut to this many columns.
const TIMER_LABEL: usize = 24;

/// One badge of the header: its text (padded with a space each side) and style.
struct Badge {
    text: String,
    style: Style,
}

impl Badge {
    fn new(text: impl AsRef<str>, style: Style) -> Badge {
        Badge {
            text: format!(" {} ", text.as_ref()),
            style,
        }
    }
}

/// What needs the commander now, in the view's order of urgency.
fn attention_badges(view: &IncidentView<'_>, app: &App, theme: &Theme) -> Vec<Badge> {
    let overdue = theme.urgency(Urgency::Overdue);
    view.needs_attention(app.now)
        .into_iter()
        .map(|attention| match attention {
            Attention::UpdateOverdue(late) => Badge::new(update_overdue(late), overdue),
            Attention::TimerDue(timer) => Badge::new(
                format!(
                    "TIMER {} DUE: {}",
                    timer.id,
                    truncate(&sanitize_line(&timer.label), TIMER_LABEL)
                ),
                overdue,
            ),
            Attention::PhaseOverdue(phase) => {
                Badge::new(format!("{} OVERDUE", sanitize_line(&phase.name)), overdue)
            }
            Attention::PostmortemOverdue(late) => {
                Badge::new(format!("POST-MORTEM OVERDUE +{}", countdown(late)), overdue)
            }
            Attention::UpdateSoon(remaining) => {
                let every = view.status_update_due().1;
                Badge::new(
                    format!("UPDATE in {}", countdown(remaining)),
                    theme.urgency(clock::urgency(remaining, every)),
                )
            }
        })
        .collect()
}

/// Where the incident stands in time: the phase and `T+` while open; how
/// long it took and the post-mortem countdown once resolved.
fn clock_badges(view: &IncidentView<'_>, app: &App, theme: &Theme) -> Vec<Badge> {
    let incident = &view.record.incident;
    let since = format_duration(view.since_declared(app.now));
    if incident.status().is_open() {
        let mut badges = Vec::new();
        if let Some(phase) = view.phase_clock(app.now).filter(|p| !p.is_overdue()) {
            badges.push(Badge::new(
                sanitize_line(&phase.name),
                theme.urgency(Urgency::Calm),
            ));
        }
        badges.push(Badge::new(format!("T+{since}"), Style::default()));
        return badges;
    }
    let status = incident.status().as_str().to_uppercase();
    // T+ frozen at resolution, beside the word that says why.
    let mut badges = vec![Badge::new(format!("{status} T+{since}"), theme.done())];
    match view.postmortem() {
        Some(Postmortem::Due(due)) if due >= app.now => {
            let remaining = due - app.now;
            let span = crate::domain::incident::POSTMORTEM_WITHIN;
            badges.push(Badge::new(
                format!("Post-mortem due in {}", countdown(remaining)),
                theme.urgency(clock::urgency(remaining, span)),
            ));
        }
        Some(Postmortem::Done(_)) => badges.push(Badge::new("Post-mortem done", theme.done())),
        // Overdue: among what needs attention.
        _ => {}
    }
    badges
}

/// Keeps the badges that fit in `room` columns, in order; the first that
/// does not fit is cut with `…` (when at least a letter of it fits) and the
/// rest are left out.
fn fit(badges: Vec<Badge>, room: usize) -> Vec<Badge> {
    let mut used = 0;
    let mut kept = Vec::new();
    for badge in badges {
        let w = width(&badge.text);
        if used + w <= room {
            used += w;
            kept.push(badge);
            continue;
        }
        // A badge cut to a stub says nothing: then a lone `…` says more
        // was left out.
        let left = room - used;
        if left >= CUT_BADGE_KEEPS + 2 {
            kept.push(Badge {
                text: format!("{} ", truncate(&badge.text, left - 1)),
                style: badge.style,
            });
        } else if left >= 2 {
            kept.push(Badge {
                text: "… ".into(),
                style: badge.style,
            });
        }
        break;
    }
    kept
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(view) = app.view() else { return };
    let incident = &view.record.incident;
    let alarm = theme.urgency(Urgency::Overdue);

    let mut badges = Vec::new();
    if let Some(player) = &app.replay {
        // First, never cut: nobody may take a replay for the live incident.
        let state = if player.paused { "⏸" } else { "▶" };
        badges.push(Badge::new(
            format!(
                "REPLAY ×{} {state} {}",
                player.speed,
                app.local(player.at).format("%H:%M:%S")
            ),
            theme.title().patch(theme.selected()),
        ));
    }
    if app.database_gone.is_some() {
        badges.push(Badge::new("NOT SAVING", alarm));
    }
    if let Some(broken) = &app.tampered {
        let at = broken.event_id().map(|id| format!(" #{id}")).unwrap_or_default();
        badges.push(Badge::new(format!("TAMPERED{at}"), alarm));
    }
    badges.extend(attention_badges(&view, app, theme));
    if app.read_only {
        badges.push(Badge::new("READ-ONLY", theme.urgency(Urgency::Near)));
    }
    badges.extend(clock_badges(&view, app, theme));
    badges.push(Badge::new(
        format!("IC {}", sanitize_line(view.commander())),
        theme.title(),
    ));

    let id = format!(" #{} ", incident.id);
    let severity = format!(
        " {} {} ",
        incident.severity,
        incident.severity.label().to_uppercase()
    );
    // Never cut: nobody may take a drill for the real thing, or the reverse.
    let drill = if incident.drill { " DRILL " } else { "" };
    // The left part, a space, the title, at least a space, the badges.
    let fixed = width(&id) + width(&severity) + width(drill) + 2;
    let title = sanitize_line(&incident.title);
    let title_keeps = width(&title).min(TITLE_KEEPS);
    let room = (area.width as usize).saturating_sub(fixed);
    let badges = fit(badges, room.saturating_sub(title_keeps));
    let badges_width: usize = badges.iter().map(|b| width(&b.text)).sum();
    let title = truncate(&title, room.saturating_sub(badges_width));
    let gap = room.saturating_sub(badges_width + width(&title));

    let mut spans = vec![
        Span::styled(id, theme.title()),
        Span::styled(severity, theme.severity(incident.severity)),
        Span::styled(drill, theme.drill()),
        Span::raw(" "),
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(gap + 1)),
    ];
    spans.extend(badges.into_iter().map(|b| Span::styled(b.text, b.style)));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(badges: &[Badge]) -> Vec<&str> {
        badges.iter().map(|b| b.text.as_str()).collect()
    }

    #[test]
    fn the_least_urgent_badges_are_cut_with_an_ellipsis() {
        let badges = || {
            ["UPDATE OVERDUE +00:22", "Response", "T+22m30s"]
                .map(|t| Badge::new(t, Style::default()))
                .into_iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            texts(&fit(badges(), 100)),
            [" UPDATE OVERDUE +00:22 ", " Response ", " T+22m30s "]
        );
        assert_eq!(
            texts(&fit(badges(), 23 + 10 + 8)),
            [" UPDATE OVERDUE +00:22 ", " Response ", " T+22m… "]
        );
        assert_eq!(
            texts(&fit(badges(), 23 + 10 + 7)),
            [" UPDATE OVERDUE +00:22 ", " Response ", "… "]
        );
        assert_eq!(texts(&fit(badges(), 23 + 1)), [" UPDATE OVERDUE +00:22 "]);
        assert_eq!(texts(&fit(badges(), 10)), [" UPDATE … "]);
    }
}
