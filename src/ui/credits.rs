//! What a feed says of a show's and an episode's people and support: "Support the show", the
//! people who speak (with their roles and pages), a subtitle. Drawn on the show page and the
//! episode page alike.

use eframe::egui;

use super::Action;
use crate::model::{Person, WebLink};

/// "Support the show": one button when the feed gives one way (`podcast:funding`,
/// `atom:link rel="payment"`), a menu of them when it gives several. Opens the link.
pub fn support(ui: &mut egui::Ui, funding: &[WebLink], actions: &mut Vec<Action>) {
    match funding {
        [] => {}
        [only] => {
            let hint = format!("{} ({})", only.text, only.url);
            if ui.button("Support the show").on_hover_text(hint).clicked() {
                actions.push(Action::OpenLink(only.url.clone()));
            }
        }
        several => {
            ui.menu_button("Support the show", |ui| {
                for link in several {
                    if ui.button(&link.text).on_hover_text(&link.url).clicked() {
                        actions.push(Action::OpenLink(link.url.clone()));
                        ui.close();
                    }
                }
            });
        }
    }
}

/// The people, one line wrapped: `Host: Mara Quist · Guest: Olu Brenner`; a name with a page
/// is a link to it.
pub fn people(ui: &mut egui::Ui, people: &[Person], actions: &mut Vec<Action>) {
    if people.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for (at, person) in people.iter().enumerate() {
            if at > 0 {
                ui.label(egui::RichText::new("·").weak());
            }
            if let Some(role) = &person.role {
                ui.label(egui::RichText::new(format!("{}:", capitalised(role))).weak());
            }
            match &person.href {
                Some(href) => {
                    if ui.link(&person.name).on_hover_text(href).clicked() {
                        actions.push(Action::OpenLink(href.clone()));
                    }
                }
                None => {
                    ui.label(&person.name);
                }
            }
        }
    });
}

/// A subtitle under a title: the show or the episode in a line.
pub fn subtitle(ui: &mut egui::Ui, subtitle: Option<&str>) {
    if let Some(subtitle) = subtitle {
        ui.label(egui::RichText::new(subtitle).italics());
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
