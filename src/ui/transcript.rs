//! The follow-along transcript: the cue being spoken highlighted and kept in view while the
//! episode plays; scrolling by hand stops following until "Follow" is pressed; a click on a cue
//! plays from there; find within; a cue copied with its timestamp link. Only the cues in view
//! are laid out and painted each frame (their heights are measured once per width).

use std::sync::Arc;

use eframe::egui;
use egui::text::{LayoutJob, TextFormat};

use super::bookmarks::BookmarkAction;
use super::widgets::Labelled;
use super::{Action, Command, EpisodePage, UiState};
use crate::model::{EpisodeId, format_clock};
use crate::transcript::{Cue, Transcript};

pub struct TranscriptView {
    pub episode: EpisodeId,
    pub title: String,
    /// The episode's web address, for "copy with time link".
    pub link: String,
    pub content: TranscriptContent,
    /// Keep the spoken cue in view (off once the listener scrolls by hand).
    pub follow: bool,
    pub find: String,
    /// Which match "next" and "previous" went to.
    pub found_at: usize,
    /// The cue highlighted as spoken in the last frame.
    pub spoken: Option<usize>,
}

pub enum TranscriptContent {
    Loading,
    Ready(Arc<Transcript>),
    Failed(String),
}

/// The "Transcript" button on the episode page, when the feed lists one Hark reads.
pub fn offer(ui: &mut egui::Ui, state: &UiState, page: &EpisodePage, actions: &mut Vec<Action>) {
    if page.episode.transcripts.is_empty() {
        return;
    }
    let open = state.transcript.as_ref().is_some_and(|t| t.episode == page.episode.summary.id);
    if ui.add_enabled(!open, egui::Button::new("📝 Transcript")).on_hover_text("Read along as it plays").clicked() {
        actions.push(Action::OpenTranscript(page.episode.summary.id));
    }
}

/// Cue heights at one width, and where each cue starts.
#[derive(Clone, Default)]
struct CueLayout {
    width: f32,
    cues: usize,
    tops: Vec<f32>,
    total: f32,
}

const CUE_GAP: f32 = 6.0;

pub fn window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(view) = state.transcript.as_mut() else { return };
    let mut open = true;
    let playing_here = state.transport.playback.episode() == Some(view.episode);
    let now = state.transport.playback.track().filter(|_| playing_here).map(|t| t.position_secs);
    egui::Window::new("Transcript")
        .open(&mut open)
        .default_width(440.0)
        .default_height(520.0)
        .default_pos([420.0, 60.0])
        .show(ui.ctx(), |ui| {
            ui.label(egui::RichText::new(&view.title).strong());
            match &view.content {
                TranscriptContent::Loading => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Loading the transcript…");
                    });
                }
                TranscriptContent::Failed(reason) => {
                    ui.colored_label(ui.visuals().error_fg_color, reason);
                }
                TranscriptContent::Ready(transcript) => {
                    let transcript = transcript.clone();
                    cues(ui, view, &transcript, now, actions);
                }
            }
        });
    if !open {
        state.transcript = None;
    }
}

fn cues(
    ui: &mut egui::Ui,
    view: &mut TranscriptView,
    transcript: &Transcript,
    now: Option<f64>,
    actions: &mut Vec<Action>,
) {
    let matches = found(ui, view, transcript);
    let mut jump_to: Option<usize> = None;
    ui.horizontal(|ui| {
        let field = egui::TextEdit::singleline(&mut view.find).hint_text("Find in transcript").desired_width(180.0);
        let response = ui.add(field).labelled(egui::Role::TextInput, "Find in transcript");
        if response.changed() {
            view.found_at = 0;
            if !view.find.trim().is_empty() {
                view.follow = false;
                jump_to = Some(0);
            }
        }
        if !matches.is_empty() {
            ui.label(format!("{} of {}", view.found_at.min(matches.len() - 1) + 1, matches.len()));
            if ui.small_button("Previous").on_hover_text("Previous match").clicked() {
                view.found_at = (view.found_at + matches.len() - 1) % matches.len();
                jump_to = Some(view.found_at);
            }
            if ui.small_button("Next").on_hover_text("Next match").clicked() {
                view.found_at = (view.found_at + 1) % matches.len();
                jump_to = Some(view.found_at);
            }
        } else if !view.find.trim().is_empty() {
            ui.label(egui::RichText::new("no match").weak());
        }
        if !view.follow && now.is_some() && transcript.timed && ui.button("Follow").clicked() {
            view.follow = true;
        }
    });
    let jump_to = jump_to.and_then(|m| matches.get(m).copied());
    let spoken = now.filter(|_| transcript.timed).and_then(|secs| crate::transcript::cue_at(&transcript.cues, secs));
    view.spoken = spoken;
    let memory_id = ui.scope_id().with(("cue-layout", view.episode.0));
    let font = egui::TextStyle::Body.resolve(ui.style());
    let scroll = egui::ScrollArea::vertical().id_salt("transcript-cues").auto_shrink([false, false]);
    scroll.show_viewport(ui, |ui, viewport| {
        let width = ui.available_width();
        let mut layout: CueLayout = ui.data_mut(|d| d.get_temp(memory_id)).unwrap_or_default();
        if (layout.width - width).abs() > 0.5 || layout.cues != transcript.cues.len() {
            layout = measure(ui, transcript, &font, width);
        }
        let origin = ui.cursor().min;
        let (area, _) = ui.allocate_exact_size(egui::vec2(width, layout.total), egui::Sense::hover());
        // A wheel turn or a drag over the cues is the listener reading elsewhere.
        let scrolled_by_hand = ui.rect_contains_pointer(area)
            && ui.input(|i| i.smooth_scroll_delta().y != 0.0 || i.pointer.is_decidedly_dragging());
        if scrolled_by_hand {
            view.follow = false;
        }
        let first = layout.tops.partition_point(|top| *top < viewport.min.y).saturating_sub(1);
        for index in first..transcript.cues.len() {
            let top = layout.tops[index];
            if top > viewport.max.y {
                break;
            }
            let height = layout.tops.get(index + 1).copied().unwrap_or(layout.total) - top - CUE_GAP;
            let rect = egui::Rect::from_min_size(origin + egui::vec2(0.0, top), egui::vec2(width, height));
            let cue = &transcript.cues[index];
            let highlight = if Some(index) == spoken {
                Some(ui.visuals().selection.bg_fill)
            } else if matches.binary_search(&index).is_ok() {
                Some(ui.visuals().warn_fg_color.gamma_multiply(0.25))
            } else {
                None
            };
            draw_cue(ui, rect, cue, transcript.timed, highlight, &font, index, view, actions);
        }
        let scroll_to = jump_to.or(spoken.filter(|_| view.follow));
        if let Some(index) = scroll_to {
            let top = layout.tops[index];
            let bottom = layout.tops.get(index + 1).copied().unwrap_or(layout.total);
            let target = egui::Rect::from_min_max(origin + egui::vec2(0.0, top), origin + egui::vec2(width, bottom));
            if jump_to.is_some() || !ui.clip_rect().contains_rect(target) {
                ui.scroll_to_rect(target, Some(egui::Align::Center));
            }
        }
        ui.data_mut(|d| d.insert_temp(memory_id, layout));
    });
}

/// The cues holding what is looked for, searched again only when the query changes (not every
/// frame: a long transcript has thousands of cues).
fn found(ui: &egui::Ui, view: &TranscriptView, transcript: &Transcript) -> Arc<Vec<usize>> {
    let memory_id = ui.scope_id().with(("found", view.episode.0));
    let query = view.find.trim().to_lowercase();
    let held: Option<(String, Arc<Vec<usize>>)> = ui.data_mut(|d| d.get_temp(memory_id));
    if let Some((_, matches)) = held.filter(|(held_query, _)| *held_query == query) {
        return matches;
    }
    let matches: Vec<usize> = if query.is_empty() {
        Vec::new()
    } else {
        (0..transcript.cues.len()).filter(|i| transcript.cues[*i].text.to_lowercase().contains(&query)).collect()
    };
    let matches = Arc::new(matches);
    ui.data_mut(|d| d.insert_temp(memory_id, (query, matches.clone())));
    matches
}

/// Lays every cue out once at `width` to know where each starts.
fn measure(ui: &egui::Ui, transcript: &Transcript, font: &egui::FontId, width: f32) -> CueLayout {
    let mut tops = Vec::with_capacity(transcript.cues.len());
    let mut y = 0.0;
    for cue in &transcript.cues {
        tops.push(y);
        let galley = ui.painter().layout_job(cue_text(ui, cue, transcript.timed, font, width));
        y += galley.size().y + CUE_GAP;
    }
    CueLayout { width, cues: transcript.cues.len(), tops, total: y }
}

fn cue_text(ui: &egui::Ui, cue: &Cue, timed: bool, font: &egui::FontId, width: f32) -> LayoutJob {
    let visuals = ui.visuals();
    let mut job =
        LayoutJob { wrap: egui::text::TextWrapping { max_width: width, ..Default::default() }, ..Default::default() };
    let format = |color| TextFormat { font_id: font.clone(), color, ..Default::default() };
    if timed {
        job.append(&format!("{}  ", format_clock(cue.start_secs)), 0.0, format(visuals.weak_text_color()));
    }
    if let Some(speaker) = &cue.speaker {
        job.append(&format!("{speaker}: "), 0.0, format(visuals.strong_text_color()));
    }
    job.append(&cue.text, 0.0, format(visuals.text_color()));
    job
}

#[allow(clippy::too_many_arguments)]
fn draw_cue(
    ui: &mut egui::Ui,
    rect: egui::Rect,
    cue: &Cue,
    timed: bool,
    highlight: Option<egui::Color32>,
    font: &egui::FontId,
    index: usize,
    view: &TranscriptView,
    actions: &mut Vec<Action>,
) {
    let response = ui.interact(rect, ui.scope_id().with(("cue", index)), egui::Sense::click());
    if let Some(fill) = highlight {
        ui.painter().rect_filled(rect.expand(2.0), 3.0, fill);
    } else if response.hovered() && timed {
        ui.painter().rect_filled(rect.expand(2.0), 3.0, ui.visuals().widgets.hovered.weak_bg_fill);
    }
    let galley = ui.painter().layout_job(cue_text(ui, cue, timed, font, rect.width()));
    ui.painter().galley(rect.min, galley, ui.visuals().text_color());
    let label = format!("{} {}", format_clock(cue.start_secs), cue.text);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    if timed && response.clicked() {
        actions.push(Action::Listen(Command::Play { episode: view.episode, from: Some(cue.start_secs) }));
    }
    response.context_menu(|ui| {
        if ui.button("Copy with time link").clicked() {
            let speaker = cue.speaker.as_deref().map(|s| format!("{s}: ")).unwrap_or_default();
            let mut text = format!("[{}] {speaker}{}", format_clock(cue.start_secs), cue.text);
            if let Some(link) = crate::model::moment_link(&view.link, cue.start_secs, None) {
                text.push_str(&format!("\n{link}"));
            }
            actions.push(Action::Copy { text, what: "cue with its time link" });
            ui.close();
        }
        if timed && ui.button("Clip from this line…").clicked() {
            let secs = cue.end_secs - cue.start_secs;
            actions.push(Action::Bookmarks(BookmarkAction::ClipAt {
                episode: view.episode,
                start: cue.start_secs,
                secs,
            }));
            ui.close();
        }
    });
}
