//! The selected episode: header, actions and show notes drawn from the laid-out document.

use eframe::egui;

use super::{Action, Command, QueueEdit, UiState, widgets};
use crate::model::{EpisodeId, format_clock, format_duration};
use crate::notes::{Block, Link, ListMarker, Span};

pub fn draw(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
    let Some(page) = &state.episode_page else {
        ui.add_space(8.0);
        ui.label("Select an episode to see its notes.");
        return;
    };
    let episode = &page.episode;
    let summary = &episode.summary;
    ui.add_space(6.0);
    ui.label(egui::RichText::new(&summary.title).heading().strong());
    super::credits::subtitle(ui, episode.credits.subtitle.as_deref());
    let mut facts = vec![widgets::long_date(summary.published)];
    if let Some(author) = &episode.credits.author {
        facts.push(format!("by {author}"));
    }
    if let Some(number) = episode.episode_number {
        facts.push(match episode.season_number {
            Some(season) => format!("S{season} E{number}"),
            None => format!("Episode {number}"),
        });
    }
    if let Some(duration) = summary.duration_secs {
        facts.push(format_clock(duration as f64));
    }
    if episode.explicit {
        facts.push("explicit".into());
    }
    if summary.played {
        facts.push("played".into());
    } else if summary.position_secs > 0.0 {
        facts.push(format!("stopped at {}", format_clock(summary.position_secs)));
    }
    if summary.downloaded {
        facts.push("downloaded".into());
    }
    facts.retain(|f| !f.is_empty());
    ui.label(egui::RichText::new(facts.join(" · ")).weak());
    super::credits::people(ui, &episode.credits.persons, actions);
    let time = &page.listening;
    if time.listened_secs >= 1.0 {
        ui.label(
            egui::RichText::new(format!(
                "Listened {} · saved {}",
                format_duration(time.listened_secs),
                format_duration(time.saved_secs())
            ))
            .weak(),
        )
        .on_hover_text(format!(
            "{} by speed, {} by shorter silences",
            format_duration(time.saved_by_speed_secs),
            format_duration(time.saved_by_silence_secs)
        ));
    }
    // Rows of buttons wrap: the panel keeps the width the listener gave it.
    ui.horizontal_wrapped(|ui| {
        let play = ui.button("▶ Play");
        // Tab brought the keys to the page: they start on its first button.
        if state.keys.focus_page {
            play.request_focus();
        }
        if play.on_hover_text("Play this episode").clicked() {
            actions.push(Action::Listen(Command::Play { episode: summary.id, from: None }));
        }
        let queued = state.queue.iter().any(|e| e.id == summary.id);
        if queued {
            if ui.button("Remove from Up Next").clicked() {
                actions.push(Action::Listen(Command::Queue(QueueEdit::Remove(summary.id))));
            }
        } else {
            if ui.button("Play next").on_hover_text("Put at the top of Up Next").clicked() {
                actions.push(Action::Listen(Command::Queue(QueueEdit::PlayNext(summary.id))));
            }
            if ui.button("Add to Up Next").clicked() {
                actions.push(Action::Listen(Command::Queue(QueueEdit::Add(summary.id))));
            }
        }
        let mark = if summary.played { "Mark unplayed" } else { "Mark played" };
        if ui.button(mark).clicked() {
            actions.push(Action::Listen(Command::SetPlayed { episode: summary.id, played: !summary.played }));
        }
    });
    if let Some((failed, said, super::failure::Place::Page)) = super::failure::play_failure(ui.ctx(), state)
        && failed == summary.id
    {
        super::failure::line(ui, said);
    }
    download_row(ui, state, summary, actions);
    share_row(ui, state, page, actions);
    super::bookmarks::episode_section(ui, state, page.episode.summary.id, actions);
    super::chapters::list(ui, state, page, actions);
    super::transcript::offer(ui, state, page, actions);
    ui.separator();
    notes(ui, page, &state.art, actions);
}

/// Block heights measured at a width, so blocks outside the visible part of a long note are
/// skipped (space only) instead of laid out every frame.
#[derive(Clone, Default)]
struct NotesLayout {
    width: f32,
    heights: Vec<f32>,
}

fn notes(ui: &mut egui::Ui, page: &super::EpisodePage, art: &ArtMap, actions: &mut Vec<Action>) {
    let episode = page.episode.summary.id;
    let memory_id = ui.scope_id().with(("notes-layout", episode.0));
    egui::ScrollArea::vertical().id_salt("notes").auto_shrink([false, false]).show_viewport(ui, |ui, viewport| {
        if page.notes.blocks.is_empty() {
            ui.label(egui::RichText::new("This episode has no notes.").weak());
        }
        let width = ui.available_width();
        let mut layout: NotesLayout = ui.data_mut(|d| d.get_temp(memory_id)).unwrap_or_default();
        if (layout.width - width).abs() > 0.5 {
            layout = NotesLayout { width, heights: Vec::with_capacity(page.notes.blocks.len()) };
        }
        let origin = ui.cursor().top();
        for (index, block) in page.notes.blocks.iter().enumerate() {
            let top = ui.cursor().top();
            let y = top - origin;
            match layout.heights.get(index).copied() {
                Some(height) if y + height < viewport.min.y || y > viewport.max.y => ui.add_space(height),
                _ => {
                    draw_block(ui, block, episode, art, actions);
                    let height = ui.cursor().top() - top;
                    match layout.heights.get_mut(index) {
                        Some(known) => *known = height,
                        None => layout.heights.push(height),
                    }
                }
            }
        }
        if page.notes.truncated {
            ui.label(egui::RichText::new("(The notes are too long and were cut here.)").weak());
        }
        ui.data_mut(|d| d.insert_temp(memory_id, layout));
    });
}

type ArtMap = super::ArtStore;

fn draw_block(ui: &mut egui::Ui, block: &Block, episode: EpisodeId, art: &ArtMap, actions: &mut Vec<Action>) {
    match block {
        Block::Heading { level, spans } => {
            ui.add_space(6.0);
            let size = match level {
                1 => 22.0,
                2 => 19.0,
                3 => 17.0,
                _ => 15.0,
            };
            spans_line(ui, spans, episode, actions, |t| t.size(size).strong());
        }
        Block::Paragraph { spans } => {
            spans_line(ui, spans, episode, actions, |t| t);
            ui.add_space(4.0);
        }
        Block::ListItem { depth, marker, spans } => {
            ui.horizontal_top(|ui| {
                ui.add_space(14.0 * *depth as f32);
                let marker = match marker {
                    Some(ListMarker::Bullet) => "•".to_string(),
                    Some(ListMarker::Number(n)) => format!("{n}."),
                    None => String::new(),
                };
                ui.add_sized([18.0, 14.0], egui::Label::new(marker));
                ui.vertical(|ui| spans_line(ui, spans, episode, actions, |t| t));
            });
        }
        Block::Quote { spans } => {
            let quote = egui::Frame::new()
                .inner_margin(egui::Margin { left: 12, right: 4, top: 2, bottom: 2 })
                .show(ui, |ui| spans_line(ui, spans, episode, actions, |t| t.italics()));
            let rect = quote.response.rect;
            ui.painter().vline(rect.left() + 4.0, rect.y_range(), ui.visuals().widgets.noninteractive.bg_stroke);
        }
        Block::Code { text } => {
            egui::Frame::new().fill(ui.visuals().code_bg_color).inner_margin(6).show(ui, |ui| {
                ui.label(egui::RichText::new(text).monospace());
            });
        }
        Block::Rule => {
            ui.separator();
        }
        Block::Image { url, alt } => match art.large.get(url) {
            // Fetched through the art pipeline: downscaled once, never at full size.
            Some(super::ArtSlot::Ready(header)) => {
                let [w, h] = header.size();
                let scale = (ui.available_width() / w as f32).min(1.0);
                let image = egui::Image::from_texture(header).fit_to_exact_size(egui::vec2(w as f32, h as f32) * scale);
                let response = ui.add(image.sense(egui::Sense::click())).on_hover_text(url);
                if response.clicked() {
                    actions.push(Action::OpenLink(url.clone()));
                }
            }
            Some(super::ArtSlot::Loading) => {
                ui.label(egui::RichText::new(format!("Loading image {alt}…")).weak());
            }
            Some(super::ArtSlot::Missing) | None => {
                let text = if alt.is_empty() { "[image]".to_string() } else { format!("[image: {alt}]") };
                if ui.link(text).on_hover_text(url).clicked() {
                    actions.push(Action::OpenLink(url.clone()));
                }
            }
        },
    }
}

fn spans_line(
    ui: &mut egui::Ui,
    spans: &[Span],
    episode: EpisodeId,
    actions: &mut Vec<Action>,
    base: impl Fn(egui::RichText) -> egui::RichText,
) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        for span in spans {
            let mut text = base(egui::RichText::new(&span.text));
            if span.style.bold {
                text = text.strong();
            }
            if span.style.italic {
                text = text.italics();
            }
            if span.style.underline {
                text = text.underline();
            }
            if span.style.code {
                text = text.code();
            }
            // A link around nothing but spaces is no link a listener can see or name.
            let link = span.link.as_ref().filter(|_| !span.text.trim().is_empty());
            match link {
                None => {
                    ui.label(text);
                }
                Some(Link::Web(url)) => {
                    if ui.link(text).on_hover_text(url).clicked() {
                        actions.push(Action::OpenLink(url.clone()));
                    }
                }
                Some(Link::Timestamp(secs)) => {
                    let hint = format!("Play from {}", format_clock(*secs));
                    if ui.link(text).on_hover_text(hint).clicked() {
                        actions.push(Action::Listen(Command::Play { episode, from: Some(*secs) }));
                    }
                }
            }
        }
    });
}

/// Download, its progress and Cancel, its failure and Retry, or Delete once it is here.
fn download_row(ui: &mut egui::Ui, state: &UiState, summary: &crate::model::EpisodeSummary, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| match state.downloads.get(&summary.id).map(|d| &d.state) {
        Some(super::DownloadState::Queued) => {
            ui.spinner();
            ui.label("Waiting to download…");
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelDownload(summary.id));
            }
        }
        Some(super::DownloadState::Running { bytes, total, bytes_per_sec }) => {
            let fraction = total.filter(|t| *t > 0).map(|t| *bytes as f32 / t as f32);
            let text = match fraction {
                Some(f) => format!("{:.0}% · {}/s", f * 100.0, crate::model::size_text(*bytes_per_sec as u64)),
                None => format!(
                    "{} · {}/s",
                    crate::model::size_text(*bytes),
                    crate::model::size_text(*bytes_per_sec as u64)
                ),
            };
            ui.add(egui::ProgressBar::new(fraction.unwrap_or(0.0)).desired_width(160.0).text(text));
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelDownload(summary.id));
            }
        }
        Some(super::DownloadState::Failed { reason }) => {
            ui.colored_label(ui.visuals().error_fg_color, format!("Download failed: {reason}"));
            if ui.button("Retry").clicked() {
                actions.push(Action::Download(summary.id));
            }
        }
        None if summary.downloaded => {
            ui.label(egui::RichText::new("Downloaded").weak());
            if ui.button("Delete download").clicked() {
                actions.push(Action::DeleteDownload(summary.id));
            }
        }
        None => {
            if ui.button("⬇ Download").clicked() {
                actions.push(Action::Download(summary.id));
            }
        }
    });
}

/// Copy the episode's link, the link at the current moment, or the feed's address.
fn share_row(ui: &mut egui::Ui, state: &UiState, page: &super::EpisodePage, actions: &mut Vec<Action>) {
    let episode = &page.episode;
    let link = episode.share_link().to_string();
    ui.horizontal_wrapped(|ui| {
        // The episode's page (its <link>, else a guid that is a permalink).
        if let Some(page) = &episode.link
            && ui.link("Episode web page").on_hover_text(page).clicked()
        {
            actions.push(Action::OpenLink(page.clone()));
        }
        ui.label(egui::RichText::new("Share:").weak());
        if ui.button("Copy episode link").on_hover_text(&link).clicked() {
            actions.push(Action::Copy { text: link.clone(), what: "episode link" });
        }
        let playing_here = state.transport.playback.episode() == Some(episode.summary.id);
        let at = match state.transport.playback.track() {
            Some(track) if playing_here => track.position_secs,
            _ => episode.summary.position_secs,
        };
        if let Some(timed) = crate::model::moment_link(&link, at, None)
            && ui.button("Copy link at current time").on_hover_text(&timed).clicked()
        {
            actions.push(Action::Copy { text: timed, what: "link at the current time" });
        }
        if let Some(show) = &state.show
            && ui.button("Copy feed URL").on_hover_text(&show.feed_url).clicked()
        {
            actions.push(Action::Copy { text: show.feed_url.clone(), what: "feed URL" });
        }
    });
}
