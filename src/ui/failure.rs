//! Where a Play that failed is said: in one place, next to what the listener pressed — the
//! episode's row in the list when it is in view, else its page when the page has taken the
//! list's place (a narrow window), else the transport bar. Never also in the notice line.

use eframe::egui;

use super::UiState;
use crate::listening::Playback;
use crate::model::EpisodeId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Row,
    Page,
    Transport,
}

/// The episode whose Play failed, why (one plain line), and where that is said.
pub fn play_failure<'a>(ctx: &egui::Context, state: &'a UiState) -> Option<(EpisodeId, &'a str, Place)> {
    let Playback::Failed { track, error } = &state.transport.playback else { return None };
    let folded = ctx.content_rect().width() < super::FOLD_EPISODE_PAGE_BELOW;
    let page_open = state.episode_page.as_ref().is_some_and(|p| p.episode.summary.id == track.episode);
    let in_list = !state.inbox.open && state.episodes.iter().any(|e| e.id == track.episode);
    let place = match (in_list, folded && page_open) {
        (_, true) => Place::Page,
        (true, false) => Place::Row,
        (false, false) => Place::Transport,
    };
    Some((track.episode, error.as_str(), place))
}

/// The failure as its place shows it: one line in the warning colour, whole on hover.
pub fn line(ui: &mut egui::Ui, said: &str) {
    let text = egui::RichText::new(format!("⚠ {said}")).color(ui.visuals().warn_fg_color);
    ui.add(egui::Label::new(text).truncate()).on_hover_text(said);
}
