use eframe::egui;

use super::widgets::Labelled;
use super::{Action, UiState, widgets};
use crate::model::{EpisodeType, format_clock};

pub(super) const ROW_HEIGHT: f32 = 26.0;

pub fn draw(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    if state.show.is_none() {
        return;
    }
    if state.episodes.is_empty() {
        ui.label("This podcast has no episodes with audio yet.");
        return;
    }
    let selected = state.episode_page.as_ref().map(|p| p.episode.summary.id);
    if let Some(sort) = controls(ui, &mut state.episode_list) {
        let podcast = state.show.as_ref().map(|show| show.id).expect("a show is selected");
        actions.push(Action::SetEpisodeSort(podcast, sort));
    }
    let rows = state.episode_list.rows(&state.episodes, state.episodes_version);
    if rows.is_empty() {
        ui.label("No episodes here match.");
        return;
    }
    let failure = super::failure::play_failure(ui.ctx(), state)
        .filter(|(_, _, place)| *place == super::failure::Place::Row)
        .map(|(episode, said, _)| (episode, said.to_string()));
    let podcast = state.show.as_ref().map(|show| show.id);
    let keyed = state.keys.drives(ui, super::keys::Pane::Episodes);
    let mut list = state.keys.episodes;
    // Only the visible rows are laid out, so 20,000 episodes cost what 30 do; each show keeps
    // where its list was scrolled to.
    let area = list.show_rows(ui, ("episodes", podcast), ROW_HEIGHT, rows.len(), |ui, visible| {
        for row in visible {
            let episode = &state.episodes[rows[row]];
            let failed = failure.as_ref().filter(|(id, _)| *id == episode.id).map(|(_, said)| said.as_str());
            let drawn = episode_row(ui, state, episode, selected == Some(episode.id), failed, actions);
            if keyed && selected == Some(episode.id) {
                super::keys::mark(ui, drawn);
            }
        }
    });
    state.keys.episodes = list;
    list_region(ui, area.inner_rect, "Episode list", keyed);
}

/// One episode's row: the whole row is the click target (it selects the episode and opens its
/// page) and the highlight; named by its title for screen readers. Returns where it was drawn.
fn episode_row(
    ui: &mut egui::Ui,
    state: &UiState,
    episode: &crate::model::EpisodeSummary,
    selected: bool,
    failed: Option<&str>,
    actions: &mut Vec<Action>,
) -> egui::Rect {
    // The episode in the transport is marked in every list it is in.
    let in_transport = state.transport.playback.episode() == Some(episode.id);
    let name = if in_transport { format!("▶ {}", episode.title) } else { episode.title.clone() };
    let (rect, row) = ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW_HEIGHT - 4.0), egui::Sense::click());
    row.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    if row.clicked() {
        actions.push(Action::SelectEpisode(episode.id));
    }
    if !ui.is_rect_visible(rect) {
        return rect;
    }
    let visuals = ui.style().interact_selectable(&row, selected);
    if selected || row.hovered() {
        ui.painter().rect_filled(rect, visuals.corner_radius, visuals.weak_bg_fill);
    }
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    let mut inner = ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(layout));
    let ui = &mut inner;
    progress_mark(ui, episode);
    download_mark(ui, state, episode);
    ui.allocate_ui_with_layout(egui::vec2(92.0, ROW_HEIGHT - 4.0), layout, |ui| {
        ui.set_min_width(92.0);
        ui.add(egui::Label::new(widgets::date(episode.published)).selectable(false));
    });
    // A Play of this episode that failed is said here, in the half after its title.
    let title_width = match failed {
        Some(_) => (ui.available_width() / 2.0).max(80.0),
        None => (ui.available_width() - 70.0).max(80.0),
    };
    let mut title = egui::RichText::new(&name).color(visuals.text_color());
    if in_transport {
        title = title.strong();
    } else if episode.played && !selected {
        title = title.color(ui.visuals().weak_text_color());
    }
    ui.allocate_ui_with_layout(egui::vec2(title_width, ROW_HEIGHT - 4.0), layout, |ui| {
        ui.set_min_width(title_width);
        // Trailers and bonus episodes say so before their title.
        let badge = match episode.episode_type {
            EpisodeType::Full => None,
            EpisodeType::Trailer => Some("Trailer"),
            EpisodeType::Bonus => Some("Bonus"),
        };
        if let Some(badge) = badge {
            ui.add(egui::Label::new(egui::RichText::new(badge).small().strong()).selectable(false));
        }
        if widgets::painted_line(ui, title) {
            row.clone().on_hover_text(&episode.title);
        }
    });
    match failed {
        Some(said) => super::failure::line(ui, said),
        None => {
            let duration = episode.duration_secs.map(|d| format_clock(d as f64)).unwrap_or_default();
            ui.add(egui::Label::new(duration).selectable(false));
        }
    }
    rect
}

/// The list's place in the window, named for screen readers (and tests), outlined while it has the
/// keys.
pub(super) fn list_region(ui: &mut egui::Ui, rect: egui::Rect, name: &str, keyed: bool) {
    let id = ui.scope_id().with(name);
    ui.interact(rect, id, egui::Sense::hover()).labelled(egui::Role::List, name);
    if keyed {
        super::keys::mark(ui, rect);
    }
}

/// Sort, filter and search over the show's episodes; the order chosen, when it changed (it is
/// kept for this show).
fn controls(ui: &mut egui::Ui, list: &mut super::episode_list::EpisodeListView) -> Option<super::episode_list::Sort> {
    use super::episode_list::{Filter, Sort};
    let before = list.sort;
    ui.horizontal_wrapped(|ui| {
        let sort = egui::ComboBox::from_id_salt("episode-sort").selected_text(format!("Sort: {}", list.sort.name()));
        let sort = sort.show_ui(ui, |ui| {
            for sort in Sort::ALL {
                ui.selectable_value(&mut list.sort, sort, sort.name());
            }
        });
        sort.response.labelled(egui::Role::ComboBox, "Sort episodes");
        let filter =
            egui::ComboBox::from_id_salt("episode-filter").selected_text(format!("Show: {}", list.filter.name()));
        let filter = filter.show_ui(ui, |ui| {
            for filter in Filter::ALL {
                ui.selectable_value(&mut list.filter, filter, filter.name());
            }
        });
        filter.response.labelled(egui::Role::ComboBox, "Filter episodes");
        let search = egui::TextEdit::singleline(&mut list.query).hint_text("Search this show").desired_width(160.0);
        ui.add(search).labelled(egui::Role::TextInput, "Search this show");
    });
    (list.sort != before).then_some(list.sort)
}

/// A dot for unplayed, a small bar of how much was heard, or nothing once played.
fn progress_mark(ui: &mut egui::Ui, episode: &crate::model::EpisodeSummary) {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(28.0, 12.0), egui::Sense::hover());
    let painter = ui.painter();
    let heard = match episode.duration_secs {
        Some(d) if d > 0 => (episode.position_secs / d as f64).clamp(0.0, 1.0) as f32,
        _ => 0.0,
    };
    let hint = if episode.played {
        "Played".to_string()
    } else if episode.position_secs > 0.0 {
        let bar = egui::Rect::from_min_size(rect.left_center() - egui::vec2(0.0, 2.0), egui::vec2(rect.width(), 4.0));
        painter.rect_filled(bar, 2.0, ui.visuals().widgets.inactive.bg_fill);
        let done = egui::Rect::from_min_size(bar.min, egui::vec2(bar.width() * heard.max(0.08), bar.height()));
        painter.rect_filled(done, 2.0, ui.visuals().selection.bg_fill);
        format!("Stopped at {}", format_clock(episode.position_secs))
    } else {
        painter.circle_filled(rect.center(), 4.0, ui.visuals().selection.bg_fill);
        "Not played".to_string()
    };
    response.on_hover_text(hint);
}

/// A download arrow while it downloads, a disk once it is here.
fn download_mark(ui: &mut egui::Ui, state: &UiState, episode: &crate::model::EpisodeSummary) {
    let (text, hint) = match state.downloads.get(&episode.id).map(|d| &d.state) {
        Some(super::DownloadState::Running { bytes, total: Some(total), .. }) if *total > 0 => {
            (format!("{}%", bytes * 100 / total), "Downloading".to_string())
        }
        Some(super::DownloadState::Running { .. }) | Some(super::DownloadState::Queued) => {
            ("⬇".to_string(), "Downloading".to_string())
        }
        Some(super::DownloadState::Failed { reason }) => ("⚠".to_string(), format!("Download failed: {reason}")),
        None if episode.downloaded => ("offline".to_string(), "Downloaded: plays without a network".to_string()),
        None => (String::new(), String::new()),
    };
    let response = ui.add_sized([34.0, 16.0], egui::Label::new(egui::RichText::new(text).small()));
    if !hint.is_empty() {
        response.on_hover_text(hint);
    }
}
