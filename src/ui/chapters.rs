//! Chapters in the window: the list on the episode page (with "skip this chapter"), and the
//! marks on the transport's seek bar.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, Command, EpisodePage, UiState, widgets};
use crate::chapters::Chapter;
use crate::model::format_clock;

/// The selected episode's chapters: start, title, length, picture, link; the one playing
/// highlighted; unchecking one skips it while playing.
pub fn list(ui: &mut egui::Ui, state: &UiState, page: &EpisodePage, actions: &mut Vec<Action>) {
    let chapters = &page.chapters;
    let listed: Vec<usize> = (0..chapters.list.len()).filter(|i| chapters.list[*i].listed).collect();
    if listed.is_empty() {
        return;
    }
    let episode = page.episode.summary.id;
    let playing_here = state.transport.playback.episode() == Some(episode);
    let now = state.transport.playback.track().map_or(0.0, |t| t.position_secs);
    let current = playing_here.then(|| crate::chapters::current(&chapters.list, now)).flatten();
    let pictures = listed.iter().any(|i| chapters.list[*i].image.is_some());
    egui::CollapsingHeader::new(format!("Chapters ({})", listed.len()))
        .id_salt(("chapters", episode.0))
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("chapter-list").max_height(220.0).show(ui, |ui| {
                let grid = egui::Grid::new("chapter-rows").min_col_width(0.0).spacing([8.0, 4.0]);
                grid.show(ui, |ui| {
                    for index in listed {
                        let chapter = &chapters.list[index];
                        let is_current = current == Some(index);
                        row(ui, state, chapter, chapters.skipped[index], is_current, pictures, episode, actions);
                        ui.end_row();
                    }
                });
            });
        });
}

/// One chapter: keep/skip, picture (a column only when some chapter has one), start and
/// title, length, link.
#[allow(clippy::too_many_arguments)]
fn row(
    ui: &mut egui::Ui,
    state: &UiState,
    chapter: &Chapter,
    skipped: bool,
    is_current: bool,
    pictures: bool,
    episode: crate::model::EpisodeId,
    actions: &mut Vec<Action>,
) {
    let title = if chapter.title.is_empty() { "Untitled chapter" } else { &chapter.title };
    let mut keep = !skipped;
    let toggle = ui.checkbox(&mut keep, "").on_hover_text("Uncheck to skip this chapter while playing");
    if toggle.labelled(egui::Role::CheckBox, &format!("Play chapter {title}")).changed() {
        actions.push(Action::Listen(Command::SkipChapter { episode, start_secs: chapter.start_secs, skipped: !keep }));
    }
    if pictures {
        match &chapter.image {
            Some(url) => {
                widgets::art(ui, &state.art, Some(url), title, 24.0);
            }
            None => {
                ui.label("");
            }
        }
    }
    let mut text = egui::RichText::new(format!("{}  {title}", format_clock(chapter.start_secs)));
    if is_current {
        text = text.strong().color(ui.visuals().selection.stroke.color);
    }
    if skipped {
        text = text.strikethrough().weak();
    }
    let jump = ui.add(egui::Button::new(text).frame(false)).on_hover_text("Play from here");
    if jump.labelled(egui::Role::Button, title).clicked() {
        actions.push(Action::Listen(Command::Play { episode, from: Some(chapter.start_secs) }));
    }
    let length = chapter.end_secs.map(|end| format_clock(end - chapter.start_secs)).unwrap_or_default();
    ui.label(egui::RichText::new(length).weak());
    match &chapter.url {
        Some(url) => {
            if ui.small_button("🔗").on_hover_text(url).clicked() {
                actions.push(Action::OpenLink(url.clone()));
            }
        }
        None => {
            ui.label("");
        }
    }
}

/// Ticks on the seek bar where chapters start.
pub fn marks(ui: &egui::Ui, slider: egui::Rect, chapters: &[Chapter], duration: f64) {
    if duration <= 0.0 || chapters.len() < 2 {
        return;
    }
    let painter = ui.painter_at(slider.expand(2.0));
    let color = ui.visuals().weak_text_color();
    // The handle's radius insets the track at both ends.
    let inset = slider.height() / 2.5;
    let (left, right) = (slider.left() + inset, slider.right() - inset);
    for chapter in chapters.iter().filter(|c| c.listed && c.start_secs > 0.0) {
        let x = left + (right - left) * (chapter.start_secs / duration).clamp(0.0, 1.0) as f32;
        painter.line_segment(
            [egui::pos2(x, slider.center().y - 6.0), egui::pos2(x, slider.center().y + 6.0)],
            egui::Stroke::new(1.5, color),
        );
    }
}
