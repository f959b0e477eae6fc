//! What another program handed the window (`hark URL`, a `podcast://` link, an OPML file),
//! offered to the listener before anything is subscribed.

use eframe::egui;

use super::{Action, UiState};
use crate::opml::OpmlFeed;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    Subscribe {
        url: String,
    },
    /// `source` names the file in the question.
    Import {
        source: String,
        feeds: Vec<OpmlFeed>,
    },
}

pub fn window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(offer) = &state.offer else { return };
    let mut answered = false;
    let title = match offer {
        Offer::Subscribe { .. } => "New podcast",
        Offer::Import { .. } => "Import podcasts",
    };
    egui::Window::new(title).collapsible(false).resizable(false).anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0]).show(
        ui.ctx(),
        |ui| {
            ui.set_max_width(440.0);
            let (question, yes, action) = match offer {
                Offer::Subscribe { url } => {
                    (format!("Subscribe to {url}?"), "Subscribe", Action::Subscribe(url.clone()))
                }
                Offer::Import { source, feeds } => (
                    format!("Import {} podcasts from {source}?", feeds.len()),
                    "Import",
                    Action::ImportFeeds(feeds.clone()),
                ),
            };
            // A long address is cut (the whole one in its tooltip): the buttons stay in reach.
            ui.add(egui::Label::new(shortened(&question, 300)).wrap()).on_hover_text(&question);
            if let Offer::Import { feeds, .. } = offer {
                egui::ScrollArea::vertical().max_height(180.0).show(ui, |ui| {
                    for feed in feeds {
                        ui.label(egui::RichText::new(feed.title.as_deref().unwrap_or(&feed.url)).weak());
                    }
                });
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                if ui.button(yes).clicked() {
                    actions.push(action);
                    answered = true;
                }
                if ui.button("Not now").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                    answered = true;
                }
            });
        },
    );
    if answered {
        state.offer = None;
    }
}

/// `text` up to `chars` characters, with an ellipsis when cut.
fn shortened(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
