use eframe::egui;

use super::widgets::{self, Labelled};
use super::{Action, Command, QueueEdit, UiState};
use crate::model::PodcastSummary;

/// How long typing pauses before the directories are asked.
const DISCOVER_AFTER_SECS: f64 = 0.4;

pub fn draw(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    ui.add_space(6.0);
    let label = ui.label(egui::RichText::new("Add podcast").strong());
    ui.horizontal(|ui| {
        let pending = state.add_podcast.pending.is_some();
        let field = ui.add_enabled(
            !pending,
            egui::TextEdit::singleline(&mut state.add_podcast.url)
                .hint_text("Name or feed address")
                .desired_width(ui.available_width() - 52.0),
        );
        let field = field.labelled_by(label.id);
        let text = state.add_podcast.url.trim().to_string();
        // A name searches the directories once typing pauses; an address subscribes.
        let now = ui.input(|i| i.time);
        if field.changed() {
            state.add_podcast.typed_at = Some(now);
            state.add_podcast.error = None;
        }
        if let Some(typed_at) = state.add_podcast.typed_at {
            let waited = now - typed_at;
            if waited >= DISCOVER_AFTER_SECS {
                state.add_podcast.typed_at = None;
                if !super::find::looks_like_address(&text) && text.chars().count() >= 3 {
                    actions.push(Action::Discover(text.clone()));
                }
            } else {
                ui.ctx().request_repaint_after(std::time::Duration::from_secs_f64(DISCOVER_AFTER_SECS - waited));
            }
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let clicked = ui.add_enabled(!pending && !text.is_empty(), egui::Button::new("Add")).clicked();
        if (entered || clicked) && !text.is_empty() && !pending {
            state.add_podcast.typed_at = None;
            actions.push(if super::find::looks_like_address(&text) {
                Action::Subscribe(text)
            } else {
                Action::Discover(text)
            });
        }
    });
    if let Some(error) = &state.add_podcast.error {
        super::failure::line(ui, error);
    }
    if let Some((_, url)) = &state.add_podcast.pending {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(egui::RichText::new(format!("Adding {url}…")).small());
        });
    }
    ui.add_space(6.0);
    ui.separator();
    if state.podcasts.is_empty() {
        ui.label("No podcasts yet. Paste a feed address above.");
        return;
    }
    egui::Panel::bottom("up-next").resizable(true).default_size(160.0).show(ui, |ui| up_next(ui, state, actions));
    let inbox = match state.inbox.count {
        0 => "📥 Inbox".to_string(),
        count => format!("📥 Inbox ({count})"),
    };
    let inbox = ui.add_sized([ui.available_width(), 24.0], egui::Button::selectable(state.inbox.open, inbox));
    let keyed = state.keys.drives(ui, super::keys::Pane::Shows);
    let cursor = keyed.then(|| state.keys.sidebar_row(state.inbox.open, state.selected_podcast)).flatten();
    if cursor == Some(super::keys::SidebarRow::Inbox) {
        super::keys::mark(ui, inbox.rect);
    }
    if inbox.on_hover_text("New episodes across your shows").clicked() {
        actions.push(Action::OpenInbox);
    }
    ui.add_space(4.0);
    // Only the rows in view are laid out: a thousand shows cost what a screenful does.
    let rows = state.podcasts.len();
    let mut list = state.keys.shows;
    list.show_rows(ui, "shows", SHOW_ROW_HEIGHT, rows, |ui, in_view| {
        for podcast in &state.podcasts[in_view] {
            let row = show_row(ui, state, podcast, actions);
            if cursor == Some(super::keys::SidebarRow::Show(podcast.id)) {
                super::keys::mark(ui, row);
            }
        }
    });
    state.keys.shows = list;
}

/// One show in the list: its art, its title, what is new, and its menu. The whole row is the
/// click target and the highlight. A show whose last refresh failed keeps its counts and gets
/// a small *Retry* (its plain reason on hover; the details are on the show's page). Returns
/// where it was drawn.
fn show_row(ui: &mut egui::Ui, state: &UiState, podcast: &PodcastSummary, actions: &mut Vec<Action>) -> egui::Rect {
    let selected = state.selected_podcast == Some(podcast.id);
    let (rect, row) = ui.allocate_exact_size(egui::vec2(ui.available_width(), SHOW_ROW_HEIGHT), egui::Sense::click());
    row.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &podcast.title));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&row, selected);
        if selected || row.hovered() || row.has_focus() {
            let stroke = if row.has_focus() { ui.visuals().selection.stroke } else { egui::Stroke::NONE };
            ui.painter().rect(rect, visuals.corner_radius, visuals.weak_bg_fill, stroke, egui::StrokeKind::Inside);
        }
        let layout = egui::Layout::left_to_right(egui::Align::Center);
        let mut inner =
            ui.new_child(egui::UiBuilder::new().max_rect(rect.shrink2(egui::vec2(4.0, 2.0))).layout(layout));
        widgets::art(&mut inner, &state.art, podcast.art_url.as_deref(), &podcast.title, 40.0);
        inner.vertical(|ui| {
            // Painted, not a label: the row itself is the one control named by the title.
            let cut =
                widgets::painted_line(ui, egui::RichText::new(&podcast.title).strong().color(visuals.text_color()));
            if cut {
                row.clone().on_hover_text(&podcast.title);
            }
            ui.horizontal(|ui| {
                if let Some(error) = &podcast.last_error {
                    let (said, _) = crate::error::said_and_details(error);
                    let retry = ui.small_button("⚠ Retry").on_hover_text(said);
                    if retry.labelled(egui::Role::Button, &format!("Retry {}", podcast.title)).clicked() {
                        actions.push(Action::Refresh(Some(podcast.id)));
                    }
                }
                let counts = match podcast.unplayed {
                    0 => format!("{} episodes", podcast.episodes),
                    unplayed => format!("{unplayed} unplayed"),
                };
                ui.add(egui::Label::new(egui::RichText::new(counts).small()).selectable(false));
            });
        });
    }
    if row.clicked() {
        actions.push(Action::SelectPodcast(podcast.id));
    }
    row.context_menu(|ui| {
        if ui.button("Refresh").clicked() {
            actions.push(Action::Refresh(Some(podcast.id)));
        }
        if ui.button("Unsubscribe").on_hover_text("Its downloads are deleted too").clicked() {
            actions.push(Action::Unsubscribe { podcast: podcast.id, keep_downloads: false });
        }
        if ui.button("Unsubscribe, keep downloads").clicked() {
            actions.push(Action::Unsubscribe { podcast: podcast.id, keep_downloads: true });
        }
    });
    rect
}

/// A show's row in the list: its 40 px art with room around it.
pub(super) const SHOW_ROW_HEIGHT: f32 = 44.0;

fn up_next(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
    ui.add_space(4.0);
    ui.label(egui::RichText::new(format!("Up Next ({})", state.queue.len())).strong());
    if state.queue.is_empty() {
        ui.label(egui::RichText::new("Nothing queued. Use \"Add to Up Next\" on an episode.").weak().small());
        return;
    }
    egui::ScrollArea::vertical().id_salt("queue").auto_shrink([false, true]).show(ui, |ui| {
        let last = state.queue.len() - 1;
        for (index, episode) in state.queue.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui.add_enabled(index > 0, egui::Button::new("⬆").small()).on_hover_text("Move up").clicked() {
                    actions.push(Action::Listen(Command::Queue(QueueEdit::Move { episode: episode.id, up: true })));
                }
                if ui.add_enabled(index < last, egui::Button::new("⬇").small()).on_hover_text("Move down").clicked() {
                    actions.push(Action::Listen(Command::Queue(QueueEdit::Move { episode: episode.id, up: false })));
                }
                if ui.small_button("×").on_hover_text("Remove from Up Next").clicked() {
                    actions.push(Action::Listen(Command::Queue(QueueEdit::Remove(episode.id))));
                }
                if ui.add(egui::Label::new(&episode.title).truncate().sense(egui::Sense::click())).clicked() {
                    actions.push(Action::SelectEpisode(episode.id));
                }
            });
        }
    });
}
