//! The incident pane: how many entries are pinned (in its title); status
//! and severity; every milestone recorded; who is here; who holds which role (short
//! labels); how many responders are here and the responder-hours so far;
//! the runbook, open action items and the pinned entries (impact and scope
//! notes live there).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use super::text::fit_line;
use super::theme::Theme;
use crate::app::App;
use crate::domain::clock::Urgency;
use crate::domain::roles::short_label;
use crate::domain::{Milestone, sanitize_line};

/// The column of the pane's labels ("Here now", "Roles", "Runbook").
const LABEL_WIDTH: usize = 13;

/// Who is attached right now: account, terminal, since when. A read-only
/// console cannot announce itself, so it lists itself apart.
fn here_now(app: &App, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{:<LABEL_WIDTH$}", "Here now"), theme.dim())];
    for (n, p) in app.live_presence().enumerate() {
        if n > 0 {
            spans.push(Span::styled(", ", theme.dim()));
        }
        spans.push(Span::styled(
            sanitize_line(&p.account).into_owned(),
            theme.author(&p.account),
        ));
        // Consoles on this host show as before; others say where they are.
        if !p.host.is_empty() && p.host != app.host {
            spans.push(Span::styled(format!("@{}", sanitize_line(&p.host)), theme.dim()));
        }
        spans.push(Span::styled(
            format!(
                " {} {}",
                sanitize_line(&p.terminal),
                app.local(p.since).format("%H:%M")
            ),
            theme.dim(),
        ));
    }
    if app.read_only {
        spans.push(Span::styled(
            format!(" + you ({}, read-only, not listed)", sanitize_line(&app.account)),
            theme.dim(),
        ));
    }
    Line::from(spans)
}

/// A milestone's label: its title, or a shorter word when room is short.
fn milestone_label(milestone: Milestone, short: bool) -> &'static str {
    match milestone {
        Milestone::Acknowledged if short => "Acked",
        _ => milestone.title(),
    }
}

/// The recorded milestones as `Label HH:MM` cells, as many to a row as fit
/// in `width` (two at 80 columns), read left to right in their order.
fn milestone_rows(app: &App, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let Some(record) = &app.record else {
        return Vec::new();
    };
    let today = app.local(app.now).date_naive();
    let recorded: Vec<(Milestone, String)> = record
        .incident
        .milestones
        .recorded()
        .map(|(milestone, at)| {
            let local = app.local(at);
            let when = if local.date_naive() == today {
                local.format("%H:%M").to_string()
            } else {
                local.format("%m-%d %H:%M").to_string()
            };
            (milestone, when)
        })
        .collect();
    let cell_width = |short: bool| {
        let label = recorded
            .iter()
            .map(|(m, _)| milestone_label(*m, short).len())
            .max()
            .unwrap_or(0);
        let time = recorded.iter().map(|(_, w)| w.len()).max().unwrap_or(0);
        (label, label + 1 + time)
    };
    // Two to a row with full labels if they fit, else with short ones.
    let short = 2 * cell_width(false).1 + MILESTONE_GAP > width;
    let (label_width, cell) = cell_width(short);
    let per_row = ((width + MILESTONE_GAP) / (cell + MILESTONE_GAP)).max(1);
    recorded
        .chunks(per_row)
        .map(|row| {
            let mut spans = Vec::new();
            for (n, (milestone, when)) in row.iter().enumerate() {
                if n > 0 {
                    spans.push(Span::raw(" ".repeat(MILESTONE_GAP)));
                }
                let label = milestone_label(*milestone, short);
                spans.push(Span::styled(format!("{label:<label_width$} "), theme.dim()));
                spans.push(Span::raw(format!("{when:<w$}", w = cell - label_width - 1)));
            }
            Line::from(spans)
        })
        .collect()
}

/// Between two milestone cells of a row.
const MILESTONE_GAP: usize = 2;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: &Theme) {
    let Some(record) = &app.record else { return };
    let incident = &record.incident;
    let label = |text: &str| Span::styled(format!("{text:<LABEL_WIDTH$}"), theme.dim());
    let inner_width = area.width.saturating_sub(2) as usize;
    let pinned: Vec<_> = record.facts.pinned.iter().collect();

    // What matters first, for a pane of five rows at 80×24: where the
    // incident stands, its milestones, who is here, who holds what.
    // The severity's word is in the header; its badge fits here even
    // beside "acknowledged" at 80 columns.
    let mut lines = vec![fit_line(
        Line::from(vec![
            label("Status"),
            Span::styled(incident.status().as_str().to_string(), theme.title()),
            Span::raw("  "),
            Span::styled(
                format!(" {} ", incident.severity),
                theme.severity(incident.severity),
            ),
        ]),
        inner_width,
    )];
    lines.extend(
        milestone_rows(app, inner_width, theme)
            .into_iter()
            .map(|row| fit_line(row, inner_width)),
    );
    // Presence is not part of the record: a replay has nobody to list.
    if app.replay.is_none() {
        lines.push(here_now(app, theme));
    }
    // Who holds each role (the commander first: declared, then handed over).
    let mut holders: Vec<_> = record.roles.iter().collect();
    holders.sort_by_key(|h| (h.role != crate::domain::roles::COMMANDER, h.since));
    // "IC alice · Comms carol", as many to a row as fit, never split
    // inside one; a holder too wide for a row alone puts the account on a
    // row of its own (who to talk to is what matters), each cut with `…`.
    let indent = || label("");
    let mut row = vec![label("Roles")];
    let mut row_holds_one = false;
    for holder in holders {
        let role = Span::styled(
            format!("{} ", sanitize_line(short_label(&holder.role, &holder.name))),
            theme.dim(),
        );
        let account = Span::styled(
            sanitize_line(&holder.account).into_owned(),
            theme.author(&holder.account),
        );
        let used: usize = row.iter().map(Span::width).sum();
        let wanted = role.width() + account.width();
        if row_holds_one && used + 3 + wanted > inner_width {
            lines.push(fit_line(
                Line::from(std::mem::replace(&mut row, vec![indent()])),
                inner_width,
            ));
        } else if row_holds_one {
            row.push(Span::styled(" · ", theme.dim()));
        }
        let fresh = !row_holds_one || row.len() == 1;
        row.push(role);
        if fresh && LABEL_WIDTH + wanted > inner_width {
            lines.push(fit_line(
                Line::from(std::mem::replace(&mut row, vec![indent()])),
                inner_width,
            ));
        }
        row.push(account);
        row_holds_one = true;
    }
    if row_holds_one {
        lines.push(fit_line(Line::from(row), inner_width));
    }
    // After who holds what: at 80×24 the pane has room for little more.
    if let Some(attendance) = app.attendance {
        lines.push(fit_line(
            Line::from(vec![
                label("Responders"),
                Span::raw(format!(
                    "{} here · responder-hours {:.1}",
                    attendance.here, attendance.attached_hours
                )),
            ]),
            inner_width,
        ));
    }
    lines.push(Line::from(vec![
        label("Runbook"),
        Span::raw(sanitize_line(&incident.runbook_name).into_owned()),
    ]));
    let open_actions: Vec<_> = record.actions.iter().filter(|a| !a.is_done()).collect();
    if !record.actions.is_empty() {
        lines.push(Line::styled(
            format!(
                "Action items ({} open of {})",
                open_actions.len(),
                record.actions.len()
            ),
            theme.title(),
        ));
        for action in open_actions {
            let overdue = action.is_overdue(app.now);
            // Who and when first: they are short, and the text is what a
            // narrow pane cuts.
            let mut spans = vec![Span::styled(format!("{:>3} ", action.id), theme.dim())];
            if let Some(owner) = &action.owner {
                spans.push(Span::styled(
                    format!("@{} ", sanitize_line(owner)),
                    theme.author(owner),
                ));
            }
            if let Some(due) = action.due_at {
                let style = if overdue {
                    theme.urgency(Urgency::Overdue)
                } else {
                    theme.dim()
                };
                let word = if overdue { "OVERDUE" } else { "due" };
                spans.push(Span::styled(
                    format!("{word} {} ", app.local(due).format("%m-%d")),
                    style,
                ));
            }
            let text = Span::raw(sanitize_line(&action.text).into_owned());
            // Rows cut with `…`, never wrapped: ratatui's wrapping can run
            // wide text (CJK, ZWJ emoji) past the pane's border. When the
            // whole item does not fit one row, its text gets a row of its own.
            let one_row: usize = spans.iter().map(|s| s.width()).sum::<usize>() + text.width();
            if one_row <= inner_width {
                spans.push(text);
                lines.push(Line::from(spans));
            } else {
                lines.push(fit_line(Line::from(spans), inner_width));
                lines.push(fit_line(Line::from(vec![Span::raw("    "), text]), inner_width));
            }
        }
    }
    if !pinned.is_empty() {
        lines.push(Line::styled("Pinned", theme.title()));
        for entry in pinned.iter().rev().take(5) {
            lines.push(fit_line(
                Line::from(vec![
                    Span::styled("* ", theme.key()),
                    Span::raw(sanitize_line(&entry.text).into_owned()),
                ]),
                inner_width,
            ));
        }
    }
    // The pinned count in the title costs no row.
    let title = match pinned.len() {
        0 => " Incident ".to_string(),
        n => format!(" Incident · {n} pinned "),
    };
    let paragraph = Paragraph::new(lines)
        .block(pane_block(title, false, theme))
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}
