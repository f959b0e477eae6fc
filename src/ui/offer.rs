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
            ui.add(egui::Label::new(question).wrap());
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
                if ui.button("Not now").clicked() {
                    answered = true;
                }
            });
        },
    );
    if answered {
        state.offer = None;
    }
}
