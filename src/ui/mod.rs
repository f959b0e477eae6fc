//! The window's views. They read `UiState`, change only pure view state (text being typed),
//! and return `Action`s for `app.rs` to carry out. No I/O, no SQL, no blocking here.

mod episode_page;
mod episodes;
mod podcasts;
mod show;
mod toolbar;
pub mod transport;
pub mod widgets;

use std::collections::HashMap;

use eframe::egui;

use crate::model::{Episode, EpisodeId, EpisodeSummary, Podcast, PodcastId, PodcastSummary};
use crate::net::RequestId;
use crate::notes::Document;

pub use transport::TransportState;

/// Everything the window shows.
#[derive(Default)]
pub struct UiState {
    pub podcasts: Vec<PodcastSummary>,
    pub selected_podcast: Option<PodcastId>,
    pub show: Option<Podcast>,
    pub episodes: Vec<EpisodeSummary>,
    pub episode_page: Option<EpisodePage>,
    pub add_podcast: AddPodcast,
    pub refresh: Option<RefreshProgress>,
    pub notice: Option<Notice>,
    pub art: HashMap<String, ArtSlot>,
    pub transport: TransportState,
}

/// The selected episode with its notes laid out once.
pub struct EpisodePage {
    pub episode: Episode,
    pub notes: Document,
}

#[derive(Default)]
pub struct AddPodcast {
    pub url: String,
    /// The subscription under way: its request and the address typed.
    pub pending: Option<(RequestId, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshProgress {
    pub request: RequestId,
    pub done: usize,
    pub total: usize,
    pub added: usize,
    pub failed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Self { text: text.into(), is_error: false }
    }
    pub fn error(text: impl Into<String>) -> Self {
        Self { text: text.into(), is_error: true }
    }
}

pub enum ArtSlot {
    Loading,
    Ready { thumbnail: egui::TextureHandle, header: egui::TextureHandle },
    Missing,
}

/// What a listener asked for this frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SelectPodcast(PodcastId),
    SelectEpisode(EpisodeId),
    Subscribe(String),
    Refresh(Option<PodcastId>),
    Unsubscribe(PodcastId),
    DismissNotice,
    OpenLink(String),
    Play { episode: EpisodeId, from: Option<f64> },
    SetPlayed { episode: EpisodeId, played: bool },
    TogglePlayback,
    SeekBy(f64),
    SeekTo(f64),
    SetSpeed(f32),
    SetVolume(f32),
    Quit,
}

/// Draws the whole window and returns what the listener did.
pub fn draw(ui: &mut egui::Ui, state: &mut UiState) -> Vec<Action> {
    let mut actions = Vec::new();
    keyboard(ui, &mut actions);
    egui::Panel::top("toolbar").show(ui, |ui| toolbar::draw(ui, state, &mut actions));
    egui::Panel::bottom("transport").show(ui, |ui| transport::draw(ui, state, &mut actions));
    egui::Panel::left("podcasts")
        .resizable(true)
        .default_size(270.0)
        .size_range(200.0..=420.0)
        .show(ui, |ui| podcasts::draw(ui, state, &mut actions));
    egui::Panel::right("episode")
        .resizable(true)
        .default_size(420.0)
        .size_range(280.0..=700.0)
        .show(ui, |ui| episode_page::draw(ui, state, &mut actions));
    egui::CentralPanel::default().show(ui, |ui| {
        show::draw(ui, state, &mut actions);
        ui.separator();
        episodes::draw(ui, state, &mut actions);
    });
    actions
}

fn keyboard(ui: &egui::Ui, actions: &mut Vec<Action>) {
    ui.input(|input| {
        if input.modifiers.command && input.key_pressed(egui::Key::Q) {
            actions.push(Action::Quit);
        }
        if input.key_pressed(egui::Key::F5) {
            actions.push(Action::Refresh(None));
        }
    });
}
