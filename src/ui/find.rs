//! Finding shows and episodes: the Discover window (podcast directories) and the library
//! search (Ctrl+F), with the matched words highlighted.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, UiState, widgets};
use crate::library::{MATCH_END, MATCH_START};

/// The podcast directories: what was asked, and what came back.
#[derive(Default)]
pub struct DiscoverState {
    pub open: bool,
    /// The newest search sent (older answers are dropped) and its words.
    pub pending: Option<(crate::net::RequestId, String)>,
    pub term: String,
    pub shows: Vec<crate::net::directory::DirectoryShow>,
    /// One calm line when the directory could not be asked.
    pub problem: Option<String>,
    /// The Podcast Index key and secret being typed (view state).
    pub index_key: String,
    pub index_secret: String,
}

/// The library search field and its results.
#[derive(Default)]
pub struct FindState {
    pub query: String,
    pub results: Option<crate::library::SearchResults>,
    /// The query being answered (off the UI thread); an answer to any other is stale.
    pub pending: Option<crate::net::RequestId>,
    /// Ctrl+F was pressed: the field takes the keyboard next frame.
    pub focus: bool,
}

/// True for text typed into "Add podcast" that is an address rather than a name.
pub fn looks_like_address(text: &str) -> bool {
    let text = text.trim();
    text.contains("://") || (!text.contains(char::is_whitespace) && text.contains('.') && text.contains('/'))
}

/// The search field in the toolbar.
pub fn search_field(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let field = egui::TextEdit::singleline(&mut state.find.query).hint_text("Search your library (Ctrl+F)");
    let response = ui.add_sized([240.0, 20.0], field).labelled(egui::Role::TextInput, "Search your library");
    if std::mem::take(&mut state.find.focus) {
        response.request_focus();
    }
    if response.changed() {
        actions.push(Action::SearchLibrary(state.find.query.clone()));
    }
}

/// Text with the matched words (between the library's marks) in the strong colour.
fn highlighted(ui: &egui::Ui, snippet: &str) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::TextFormat { color: ui.visuals().weak_text_color(), ..Default::default() };
    let strong = egui::TextFormat { color: ui.visuals().strong_text_color(), ..Default::default() };
    let mut marked = false;
    for part in snippet.replace('\n', " ").split([MATCH_START, MATCH_END]) {
        job.append(part, 0.0, if marked { strong.clone() } else { plain.clone() });
        marked = !marked;
    }
    job.wrap.max_width = ui.available_width();
    job
}

/// The library search's results, grouped, under the toolbar while there is a query.
pub fn results_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(results) = &state.find.results else { return };
    let mut open = true;
    // Under the search field in the toolbar.
    let window = widgets::dialog(ui.ctx(), "Search results").open(&mut open).default_width(460.0);
    window.collapsible(false).show(ui.ctx(), |ui| {
        if results.shows.is_empty() && results.episodes.is_empty() {
            ui.label(egui::RichText::new(format!("Nothing matches \"{}\".", state.find.query)).weak());
        }
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            if !results.shows.is_empty() {
                ui.label(egui::RichText::new("Shows").strong());
                for show in &results.shows {
                    if ui.link(&show.title).clicked() {
                        actions.push(Action::OpenSearchHit { podcast: show.podcast_id, episode: None });
                    }
                    ui.label(highlighted(ui, &show.snippet));
                }
                ui.separator();
            }
            if !results.episodes.is_empty() {
                ui.label(egui::RichText::new("Episodes").strong());
                for hit in &results.episodes {
                    episode_hit(ui, hit, actions);
                }
            }
        });
    });
    if !open {
        state.find.results = None;
        state.find.query.clear();
    }
}

/// One episode found: its titles (a click opens it) and, when the hit is in the notes, a
/// chapter, a transcript or a bookmark, the words around it; with a time, a click plays from it
/// (streamed if the episode is not downloaded).
fn episode_hit(ui: &mut egui::Ui, hit: &crate::library::EpisodeHit, actions: &mut Vec<Action>) {
    let open = Action::OpenSearchHit { podcast: hit.podcast_id, episode: Some(hit.episode_id) };
    if ui.link(format!("{} — {}", hit.title, hit.podcast_title)).clicked() {
        actions.push(open.clone());
    }
    let where_ = match hit.field {
        crate::library::Field::Title => None,
        crate::library::Field::Notes => Some("notes"),
        crate::library::Field::Bookmark => Some("bookmark"),
        crate::library::Field::Chapter => Some("chapter"),
        crate::library::Field::Transcript => Some("said"),
    };
    let Some(where_) = where_ else { return ui.add_space(4.0) };
    ui.horizontal_wrapped(|ui| {
        if let Some(at) = hit.at_secs {
            let clock = crate::model::format_clock(at);
            let play = ui
                .small_button(format!("▶ {clock}"))
                .labelled(egui::Role::Button, &format!("Play {} from {clock}", hit.title));
            if play.on_hover_text(format!("Play from {clock} ({where_})")).clicked() {
                actions.push(open);
                actions
                    .push(Action::Listen(crate::listening::Command::Play { episode: hit.episode_id, from: Some(at) }));
            }
        }
        ui.label(highlighted(ui, &hit.snippet));
    });
    ui.add_space(4.0);
}

/// Shows found in the directories, with Subscribe (or Subscribed).
pub fn discover_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let mut open = state.discover.open;
    // Beside the sidebar, so the name being typed into Add podcast stays in view.
    let window = widgets::dialog(ui.ctx(), "Discover").open(&mut open).default_width(480.0);
    window.collapsible(false).show(ui.ctx(), |ui| {
        let d = &state.discover;
        match (&d.pending, &d.problem) {
            (Some((_, term)), _) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Searching for \"{term}\"…"));
                });
            }
            (None, Some(problem)) => {
                ui.label(egui::RichText::new(problem).weak());
            }
            (None, None) if d.shows.is_empty() => {
                ui.label(egui::RichText::new(format!("No podcast called \"{}\" was found.", d.term)).weak());
            }
            (None, None) => {}
        }
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            for show in &d.shows {
                ui.horizontal(|ui| {
                    widgets::art(ui, &state.art, show.artwork_url.as_deref(), &show.title, 48.0);
                    ui.vertical(|ui| {
                        ui.add(egui::Label::new(egui::RichText::new(&show.title).strong()).truncate());
                        let mut facts: Vec<String> = show.author.iter().cloned().collect();
                        facts.extend(show.episodes.map(|n| format!("{n} episodes")));
                        facts.extend(show.genre.clone());
                        ui.add(egui::Label::new(egui::RichText::new(facts.join(" · ")).small()).truncate());
                        let followed = state.podcasts.iter().any(|p| p.feed_url == show.feed_url);
                        let adding = state.add_podcast.pending.as_ref().is_some_and(|(_, url)| *url == show.feed_url);
                        if followed {
                            ui.label(egui::RichText::new("Subscribed").weak());
                        } else if adding {
                            ui.spinner();
                        } else if ui.button("Subscribe").on_hover_text(&show.feed_url).clicked() {
                            actions.push(Action::Subscribe(show.feed_url.clone()));
                        }
                    });
                });
                ui.add_space(6.0);
            }
        });
        if state.discover.pending.is_none() {
            ui.separator();
            podcast_index_key(ui, &mut state.discover, actions);
        }
    });
    state.discover.open = open;
}

/// Where the listener gives a Podcast Index API key (free at podcastindex.org).
fn podcast_index_key(ui: &mut egui::Ui, discover: &mut DiscoverState, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new("Search the Podcast Index too").show(ui, |ui| {
        ui.label(egui::RichText::new("With a free API key from podcastindex.org.").small().weak());
        let key_label = ui.label("API key");
        ui.add(egui::TextEdit::singleline(&mut discover.index_key)).labelled_by(key_label.id);
        let secret_label = ui.label("API secret");
        ui.add(egui::TextEdit::singleline(&mut discover.index_secret).password(true)).labelled_by(secret_label.id);
        let ready = !discover.index_key.trim().is_empty() && !discover.index_secret.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new("Save key")).clicked() {
            actions.push(Action::SetPodcastIndexKey {
                key: std::mem::take(&mut discover.index_key),
                secret: std::mem::take(&mut discover.index_secret),
            });
        }
    });
}
