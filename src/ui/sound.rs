//! How episodes sound: the transport's Sound menu (the listener's skip silence, loudness and
//! voice boost), a show's own listening settings, and the Statistics window.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, Command, UiState};
use crate::library::{ListeningStats, ListeningTime, ShowSettings};
use crate::listening::ListenerSound;
use crate::model::{PodcastId, format_duration};
use crate::player::{AudioSettings, SPEED_RANGE, SilenceLevel, round_speed};

/// A show's listening settings being edited (the window is open while this exists).
#[derive(Debug, Clone, PartialEq)]
pub struct ShowSettingsView {
    pub podcast: PodcastId,
    pub title: String,
    /// As edited, and as last saved.
    pub settings: ShowSettings,
    pub saved: ShowSettings,
}

impl ShowSettingsView {
    pub fn new(podcast: PodcastId, title: String, settings: ShowSettings) -> Self {
        Self { podcast, title, saved: settings.clone(), settings }
    }
}

fn level_label(level: SilenceLevel) -> &'static str {
    match level {
        SilenceLevel::Off => "Off",
        SilenceLevel::Mild => "Mild",
        SilenceLevel::Medium => "Medium",
        SilenceLevel::Strong => "Strong",
    }
}

/// The Sound menu's title: what the playing episode (else the listener's setting) sounds like.
pub fn menu_title(listener: ListenerSound, playing: Option<AudioSettings>) -> String {
    let now = playing.unwrap_or(AudioSettings {
        skip_silence: listener.skip_silence,
        loudness: listener.loudness,
        voice_boost: listener.voice_boost,
        ..AudioSettings::default()
    });
    let mut effects = Vec::new();
    if now.skip_silence != SilenceLevel::Off {
        effects.push("skip silence");
    }
    if now.voice_boost {
        effects.push("boost");
    }
    if effects.is_empty() { "Sound".to_string() } else { format!("Sound: {}", effects.join(", ")) }
}

/// The transport's Sound menu: the listener's own settings, for every show without its own.
pub fn sound_menu(
    ui: &mut egui::Ui,
    title: String,
    listener: ListenerSound,
    playing: Option<AudioSettings>,
    actions: &mut Vec<Action>,
) {
    let menu = ui.menu_button(title, |ui| {
        let mut changed = listener;
        ui.label(egui::RichText::new("Skip silence (shortens pauses)").weak());
        for level in SilenceLevel::ALL {
            ui.radio_value(&mut changed.skip_silence, level, level_label(level));
        }
        ui.separator();
        ui.checkbox(&mut changed.loudness, "Loudness normalisation (-16 LUFS)");
        ui.checkbox(&mut changed.voice_boost, "Voice boost");
        if playing.is_some_and(|p| {
            p.skip_silence != listener.skip_silence
                || p.voice_boost != listener.voice_boost
                || p.loudness != listener.loudness
        }) {
            ui.label(egui::RichText::new("This show has settings of its own (its header).").weak().small());
        }
        if changed != listener {
            actions.push(Action::Listen(Command::SetListenerSound(changed)));
        }
    });
    menu.response.on_hover_text("Skip silence, loudness normalisation, voice boost");
}

/// Three-way choice: the listener's setting, on, or off.
fn own_flag(ui: &mut egui::Ui, label: &str, value: &mut Option<bool>) {
    ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(match value {
            None => "As in Sound",
            Some(true) => "On",
            Some(false) => "Off",
        })
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "As in Sound");
            ui.selectable_value(value, Some(true), "On");
            ui.selectable_value(value, Some(false), "Off");
        })
        .response
        .labelled(egui::Role::ComboBox, &format!("{label} for this show"));
    ui.end_row();
}

/// A show's own speed, skip silence, voice boost, loudness and intro/outro trims; each change
/// is saved and heard at once (a number once it is let go of, not at every step of a drag).
pub fn show_settings_window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(view) = &mut state.show_settings else { return };
    let mut open = true;
    let mut editing_number = false;
    let mut number = |response: egui::Response| editing_number |= response.dragged() || response.has_focus();
    super::widgets::dialog(ui.ctx(), "Listening settings").open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        ui.label(egui::RichText::new(&view.title).strong());
        let settings = &mut view.settings;
        egui::Grid::new("show-settings-grid").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
            ui.label("Speed");
            ui.horizontal(|ui| {
                let mut own = settings.speed.is_some();
                // Named with its row: "Its own" alone does not say what a screen reader's user turns on.
                let own_speed =
                    ui.checkbox(&mut own, "Its own").labelled(egui::Role::CheckBox, "Its own speed for this show");
                if own_speed.changed() {
                    settings.speed = own.then_some(1.0);
                }
                if let Some(speed) = &mut settings.speed {
                    number(
                        ui.add(
                            egui::DragValue::new(speed).range(SPEED_RANGE).speed(0.05).fixed_decimals(1).suffix("×"),
                        )
                        .labelled(egui::Role::SpinButton, "Show speed"),
                    );
                    *speed = round_speed(*speed);
                }
            });
            ui.end_row();
            ui.label("Skip silence");
            egui::ComboBox::from_id_salt("show-skip-silence")
                .selected_text(settings.skip_silence.map_or("As in Sound", level_label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut settings.skip_silence, None, "As in Sound");
                    for level in SilenceLevel::ALL {
                        ui.selectable_value(&mut settings.skip_silence, Some(level), level_label(level));
                    }
                })
                .response
                .labelled(egui::Role::ComboBox, "Skip silence for this show");
            ui.end_row();
            own_flag(ui, "Voice boost", &mut settings.voice_boost);
            own_flag(ui, "Loudness normalisation", &mut settings.loudness);
            ui.label("Skip intro");
            number(
                ui.add(egui::DragValue::new(&mut settings.skip_intro_secs).range(0.0..=600.0).speed(1.0).suffix(" s"))
                    .labelled(egui::Role::SpinButton, "Skip intro seconds"),
            );
            ui.end_row();
            ui.label("Skip outro");
            number(
                ui.add(egui::DragValue::new(&mut settings.skip_outro_secs).range(0.0..=600.0).speed(1.0).suffix(" s"))
                    .labelled(egui::Role::SpinButton, "Skip outro seconds"),
            );
            ui.end_row();
        });
        ui.label(
            egui::RichText::new("Every episode of this show starts after the intro and ends before the outro.")
                .weak()
                .small(),
        );
    });
    if view.settings != view.saved && (!editing_number || !open) {
        view.saved = view.settings.clone();
        actions.push(Action::Listen(Command::SetShowSettings { podcast: view.podcast, settings: view.saved.clone() }));
    }
    if !open {
        state.show_settings = None;
    }
}

fn time_row(ui: &mut egui::Ui, name: &str, time: &ListeningTime) {
    ui.label(name);
    ui.label(format_duration(time.listened_secs));
    ui.label(format_duration(time.saved_by_speed_secs));
    ui.label(format_duration(time.saved_by_silence_secs));
    ui.end_row();
}

/// Listening time and time saved, in all and per show.
pub fn statistics_window(ui: &egui::Ui, state: &mut UiState) {
    let Some(stats) = &state.statistics else { return };
    let mut open = true;
    super::widgets::dialog(ui.ctx(), "Statistics").open(&mut open).default_width(420.0).show(ui.ctx(), |ui| {
        statistics(ui, stats);
    });
    if !open {
        state.statistics = None;
    }
}

fn statistics(ui: &mut egui::Ui, stats: &ListeningStats) {
    let total = &stats.total;
    ui.heading(format!("{} listened", format_duration(total.listened_secs)));
    ui.label(format!(
        "Time saved: {} ({} by speed, {} by shorter silences)",
        format_duration(total.saved_secs()),
        format_duration(total.saved_by_speed_secs),
        format_duration(total.saved_by_silence_secs)
    ));
    ui.separator();
    if stats.shows.is_empty() {
        ui.label("Nothing listened to yet.");
        return;
    }
    egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
        egui::Grid::new("statistics-grid").num_columns(4).striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
            for heading in ["Show", "Listened", "Saved by speed", "Saved by silences"] {
                ui.label(egui::RichText::new(heading).strong());
            }
            ui.end_row();
            for show in &stats.shows {
                time_row(ui, &show.title, &show.time);
            }
        });
    });
}
