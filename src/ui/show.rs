use eframe::egui;

use super::{Action, UiState, widgets};

pub fn draw(ui: &mut egui::Ui, state: &UiState, actions: &mut Vec<Action>) {
    let Some(show) = &state.show else {
        ui.label("Select a podcast on the left.");
        return;
    };
    ui.horizontal_top(|ui| {
        widgets::art(ui, &state.art, show.art_url.as_deref(), &show.title, 140.0);
        ui.vertical(|ui| {
            ui.heading(egui::RichText::new(&show.title).strong());
            super::credits::subtitle(ui, show.subtitle.as_deref());
            if let Some(author) = &show.author {
                ui.label(egui::RichText::new(author).italics());
            }
            // Wraps rather than widen the column past its panel.
            ui.horizontal_wrapped(|ui| {
                // The podcast list already counts them; no pass over the episodes each frame.
                if let Some(summary) = state.podcasts.iter().find(|p| p.id == show.id) {
                    ui.label(format!("{} episodes · {} unplayed", summary.episodes, summary.unplayed));
                }
                if let Some(link) = &show.link
                    && ui.link("Website").on_hover_text(link).clicked()
                {
                    actions.push(Action::OpenLink(link.clone()));
                }
                super::credits::support(ui, &show.related.funding, actions);
                if ui
                    .button("Listening settings")
                    .on_hover_text("This show's own speed, skip silence, voice boost, loudness, intro and outro")
                    .clicked()
                {
                    actions.push(Action::OpenShowSettings(show.id));
                }
                let mut notify = show.notify;
                let toggle =
                    ui.checkbox(&mut notify, "Notify").on_hover_text("A desktop notification for its new episodes");
                if toggle.changed() {
                    actions.push(Action::SetShowNotify { podcast: show.id, notify });
                }
            });
            super::credits::people(ui, &show.related.people, actions);
            if let Some(description) = &show.description {
                egui::ScrollArea::vertical().id_salt("show-description").max_height(84.0).show(ui, |ui| {
                    ui.label(description);
                });
            }
            if let Some(error) = &show.last_error {
                refresh_failed(ui, show.id, error, actions);
            }
        });
    });
    might_like(ui, state, show, actions);
}

/// The last refresh's failure, in plain words, with *Retry* and the technical cause behind
/// *Details*.
fn refresh_failed(ui: &mut egui::Ui, podcast: crate::model::PodcastId, kept: &str, actions: &mut Vec<Action>) {
    let (said, details) = crate::error::said_and_details(kept);
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ {said}"));
        if ui.small_button("Retry").clicked() {
            actions.push(Action::Refresh(Some(podcast)));
        }
    });
    if let Some(details) = details {
        egui::CollapsingHeader::new("Details").id_salt(("refresh-details", podcast)).show(ui, |ui| {
            ui.add(egui::Label::new(egui::RichText::new(details).monospace().small()).wrap());
        });
    }
}

/// The feed's podroll and other shows by the same author.
fn might_like(ui: &mut egui::Ui, state: &UiState, show: &crate::model::Podcast, actions: &mut Vec<Action>) {
    let same_author: Vec<_> = state
        .podcasts
        .iter()
        .filter(|p| p.id != show.id)
        .filter(|p| match (&p.author, &show.author) {
            (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            _ => false,
        })
        .collect();
    let related = &show.related;
    if related.podroll.is_empty() && same_author.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("Shows you might like").default_open(true).show(ui, |ui| {
        for remote in &related.podroll {
            ui.horizontal(|ui| {
                let subscribed = remote.url.as_ref().and_then(|u| state.podcasts.iter().find(|p| &p.feed_url == u));
                let name = remote
                    .title
                    .clone()
                    .or_else(|| remote.url.clone())
                    .unwrap_or_else(|| format!("podcast:guid {}", remote.guid.as_deref().unwrap_or_default()));
                ui.add(egui::Label::new(name).truncate());
                match (subscribed, &remote.url) {
                    (Some(podcast), _) => {
                        if ui.small_button("Open").clicked() {
                            actions.push(Action::SelectPodcast(podcast.id));
                        }
                    }
                    (None, Some(url)) => {
                        if ui.small_button("Subscribe").on_hover_text(url).clicked() {
                            actions.push(Action::Subscribe(url.clone()));
                        }
                    }
                    (None, None) => {
                        ui.label(egui::RichText::new("(known only by its podcast:guid)").weak().small());
                    }
                }
            });
        }
        for podcast in same_author {
            ui.horizontal(|ui| {
                ui.label(format!("More from {}:", podcast.author.as_deref().unwrap_or_default()));
                if ui.link(&podcast.title).clicked() {
                    actions.push(Action::SelectPodcast(podcast.id));
                }
            });
        }
    });
}
