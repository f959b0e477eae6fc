//! The transport bar: what is playing and the controls for it.

use eframe::egui;

use super::widgets::Labelled;
use super::{Action, ArtStore, Command, UiState, widgets};
use crate::listening::{EpisodeChapters, ListenerSound, Playback, SleepMode};
use crate::model::format_clock;
use crate::player::{AudioSettings, SPEED_RANGE, round_speed};

/// What the transport bar shows: the session's playback, copied in when it changes.
pub struct TransportState {
    pub playback: Playback,
    pub speed: f32,
    pub volume: f32,
    pub rewind_secs: u32,
    pub skip_secs: u32,
    /// Where the seek slider is while it is being dragged (view state).
    pub dragging_to: Option<f64>,
    pub no_audio_device: bool,
    /// A failed Play is said here (not at its row or page: see `ui::failure`); set each frame.
    pub failure_here: bool,
    /// The playing episode's chapters.
    pub chapters: EpisodeChapters,
    /// The sleep timer: what it waits for and the seconds of playback left.
    pub sleep: Option<(SleepMode, Option<f64>)>,
    /// Minutes typed for a custom sleep timer (view state).
    pub sleep_minutes: u32,
    /// The listener's sound settings, and how the episode in the transport sounds.
    pub listener_sound: ListenerSound,
    pub sound_now: Option<AudioSettings>,
}

impl Default for TransportState {
    fn default() -> Self {
        Self {
            playback: Playback::Idle,
            speed: 1.0,
            volume: 1.0,
            rewind_secs: 10,
            skip_secs: 30,
            dragging_to: None,
            no_audio_device: false,
            failure_here: false,
            chapters: EpisodeChapters::default(),
            sleep: None,
            sleep_minutes: 20,
            listener_sound: ListenerSound::default(),
            sound_now: None,
        }
    }
}

/// Below this width the seek bar takes a row of its own under the buttons.
const ONE_ROW_FROM: f32 = 1000.0;

pub fn draw(ui: &mut egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    ui.add_space(6.0);
    let failure = super::failure::play_failure(ui.ctx(), state).map(|(_, _, place)| place);
    state.transport.failure_here = failure == Some(super::failure::Place::Transport);
    let UiState { transport: t, art, .. } = state;
    if ui.available_width() < ONE_ROW_FROM {
        ui.horizontal(|ui| {
            now_playing(ui, t, art, 130.0);
            play_buttons(ui, t, actions);
            let sleep_title = sleep_title(t.sleep);
            let sound_title = super::sound::menu_title(t.listener_sound, t.sound_now);
            speed(ui, t.speed, actions);
            sleep_menu(ui, sleep_title, t.sleep, !t.chapters.list.is_empty(), &mut t.sleep_minutes, actions);
            super::sound::sound_menu(ui, sound_title, t.listener_sound, t.sound_now, actions);
            volume(ui, t.volume, actions);
        });
        ui.horizontal(|ui| {
            bookmark_button(ui, t, actions);
            seek_bar(ui, t, 50.0, actions)
        });
        ui.add_space(6.0);
        return;
    }
    ui.horizontal(|ui| {
        now_playing(ui, t, art, 220.0);
        play_buttons(ui, t, actions);
        bookmark_button(ui, t, actions);
        // Room on the right for the speed, the Sleep and Sound menus (their titles grow) and volume.
        let sleep_title = sleep_title(t.sleep);
        let sound_title = super::sound::menu_title(t.listener_sound, t.sound_now);
        let right_width = 290.0 + text_width(ui, &sleep_title) + text_width(ui, &sound_title);
        seek_bar(ui, t, right_width, actions);
        speed(ui, t.speed, actions);
        sleep_menu(ui, sleep_title, t.sleep, !t.chapters.list.is_empty(), &mut t.sleep_minutes, actions);
        super::sound::sound_menu(ui, sound_title, t.listener_sound, t.sound_now, actions);
        volume(ui, t.volume, actions);
    });
    ui.add_space(6.0);
}

/// The picture, the episode's title, the chapter playing (else the show) and what holds it up.
fn now_playing(ui: &mut egui::Ui, t: &TransportState, art: &ArtStore, width: f32) {
    let track = t.playback.track();
    let chapter = track.and_then(|n| t.chapters.current(n.position_secs));
    let title = track.map(|n| n.show.as_str()).unwrap_or("Hark");
    // The chapter's own picture, while it plays, instead of the show's.
    let picture = chapter.and_then(|c| c.image.as_deref()).or(track.and_then(|n| n.art_url.as_deref()));
    widgets::art(ui, art, picture, title, 48.0);
    ui.vertical(|ui| {
        ui.set_width(width);
        match track {
            Some(now) => {
                ui.add(egui::Label::new(egui::RichText::new(&now.title).strong()).truncate());
                match chapter.filter(|c| !c.title.is_empty()) {
                    Some(chapter) => {
                        let text = egui::RichText::new(&chapter.title).small().color(ui.visuals().hyperlink_color);
                        ui.add(egui::Label::new(text).truncate()).on_hover_text("The chapter playing");
                    }
                    None => {
                        ui.add(egui::Label::new(egui::RichText::new(&now.show).small()).truncate());
                    }
                }
            }
            None => {
                ui.label(egui::RichText::new("Nothing playing").weak());
            }
        }
        if let Some(status) = status(t) {
            let color = match t.playback {
                Playback::Failed { .. } => ui.visuals().error_fg_color,
                _ => ui.visuals().weak_text_color(),
            };
            ui.add(egui::Label::new(egui::RichText::new(status).small().color(color)).truncate());
        }
    });
}

/// What keeps the episode from playing as it should, if anything.
fn status(t: &TransportState) -> Option<&str> {
    match &t.playback {
        Playback::Loading { autoplay: true, .. } => Some("Loading…"),
        Playback::Playing { buffering: true, .. } => Some("Buffering…"),
        Playback::Failed { error, .. } if t.failure_here => Some(error.as_str()),
        _ if t.no_audio_device => Some("No audio device — playing silently"),
        _ => None,
    }
}

/// Rewind, play or pause, skip, and the chapter jumps when the episode has chapters.
fn play_buttons(ui: &mut egui::Ui, t: &TransportState, actions: &mut Vec<Action>) {
    let enabled = t.playback.track().is_some();
    let rewind = format!("Rewind {} seconds", t.rewind_secs);
    let skip = format!("Skip {} seconds", t.skip_secs);
    if ui
        .add_enabled(enabled, egui::Button::new(format!("⟲ {}", t.rewind_secs)))
        .on_hover_text(&rewind)
        .labelled(egui::Role::Button, &rewind)
        .clicked()
    {
        actions.push(Action::Listen(Command::SeekBy(-(t.rewind_secs as f64))));
    }
    let (icon, label) = if t.playback.is_playing() { ("⏸", "Pause") } else { ("▶", "Play") };
    let play = ui
        .add_enabled(enabled, egui::Button::new(egui::RichText::new(icon).size(20.0)).min_size(egui::vec2(40.0, 32.0)));
    if play.on_hover_text(label).labelled(egui::Role::Button, label).clicked() {
        actions.push(Action::Listen(Command::Toggle));
    }
    if ui
        .add_enabled(enabled, egui::Button::new(format!("{} ⟳", t.skip_secs)))
        .on_hover_text(&skip)
        .labelled(egui::Role::Button, &skip)
        .clicked()
    {
        actions.push(Action::Listen(Command::SeekBy(t.skip_secs as f64)));
    }
    if t.chapters.list.iter().any(|c| c.listed) {
        for (icon, label, keys, command) in [
            ("⏮", "Previous chapter", "Previous chapter (,)", Command::PreviousChapter),
            ("⏭", "Next chapter", "Next chapter (.)", Command::NextChapter),
        ] {
            let button = ui.add_enabled(enabled, egui::Button::new(icon)).on_hover_text(keys);
            if button.labelled(egui::Role::Button, label).clicked() {
                actions.push(Action::Listen(command));
            }
        }
    }
}

/// Bookmark the moment playing (B), or (right-click) clip from it; on the seek bar's row when
/// the bar is narrow.
fn bookmark_button(ui: &mut egui::Ui, t: &TransportState, actions: &mut Vec<Action>) {
    let enabled = t.playback.track().is_some();
    let bookmark = ui.add_enabled(enabled, egui::Button::new("🔖")).on_hover_text("Bookmark this moment (B)");
    let bookmark = bookmark.labelled(egui::Role::Button, "Bookmark this moment");
    if bookmark.clicked() {
        actions.push(Action::Bookmarks(super::bookmarks::BookmarkAction::Add));
    }
    // Right-click: a clip from the moment playing (the span is set in the clip form).
    if let Some(track) = t.playback.track() {
        bookmark.context_menu(|ui| {
            if ui.button("Clip from here…").clicked() {
                let (episode, start) = (track.episode, track.position_secs);
                let secs = super::bookmarks::DEFAULT_CLIP_SECS;
                actions.push(Action::Bookmarks(super::bookmarks::BookmarkAction::ClipAt { episode, start, secs }));
                ui.close();
            }
        });
    }
}

/// The position, the seek slider with its chapter marks, and the time left; the slider takes
/// what is left of the bar but `right_width`. While it is dragged the position follows the
/// slider, and the seek is asked for when it is let go.
fn seek_bar(ui: &mut egui::Ui, t: &mut TransportState, right_width: f32, actions: &mut Vec<Action>) {
    let track = t.playback.track();
    let duration = track.and_then(|n| n.duration_secs).unwrap_or(0.0);
    let shown = t.dragging_to.unwrap_or(track.map_or(0.0, |n| n.position_secs));
    ui.label(format_clock(shown));
    let mut value = shown;
    ui.spacing_mut().slider_width = (ui.available_width() - right_width).max(60.0);
    let slider = ui.add_enabled(
        track.is_some() && duration > 0.0,
        egui::Slider::new(&mut value, 0.0..=duration.max(1.0)).show_value(false),
    );
    let slider = slider.labelled(egui::Role::Slider, "Seek");
    super::chapters::marks(ui, slider.rect, &t.chapters.list, duration);
    if slider.dragged() || slider.changed() {
        t.dragging_to = Some(value);
    }
    if slider.drag_stopped() || (slider.changed() && !slider.dragged()) {
        t.dragging_to = None;
        actions.push(Action::Listen(Command::SeekTo(value)));
    }
    let remaining = (duration - shown).max(0.0);
    ui.label(if duration > 0.0 { format!("-{}", format_clock(remaining)) } else { "--:--".into() });
}

fn speed(ui: &mut egui::Ui, speed: f32, actions: &mut Vec<Action>) {
    let mut speed = speed;
    let response = ui
        .add(egui::DragValue::new(&mut speed).range(SPEED_RANGE).speed(0.05).fixed_decimals(1).suffix("×"))
        .on_hover_text("Playback speed ([ and ])")
        .labelled(egui::Role::SpinButton, "Playback speed");
    if response.changed() {
        actions.push(Action::Listen(Command::SetSpeed(round_speed(speed))));
    }
}

fn volume(ui: &mut egui::Ui, volume: f32, actions: &mut Vec<Action>) {
    let mut volume = volume;
    ui.label("🔊");
    ui.spacing_mut().slider_width = 64.0;
    let response =
        ui.add(egui::Slider::new(&mut volume, 0.0..=1.0).show_value(false)).labelled(egui::Role::Slider, "Volume");
    if response.changed() {
        actions.push(Action::Listen(Command::SetVolume(volume)));
    }
}

/// How wide `text` is on a button.
fn text_width(ui: &egui::Ui, text: &str) -> f32 {
    let font = egui::TextStyle::Button.resolve(ui.style());
    ui.painter().layout_no_wrap(text.to_string(), font, egui::Color32::WHITE).size().x
}

/// The Sleep menu's title: the time left while the timer runs.
fn sleep_title(timer: Option<(SleepMode, Option<f64>)>) -> String {
    match timer {
        None => "Sleep".to_string(),
        Some((SleepMode::EndOfEpisode, _)) => "Sleep: end of episode".to_string(),
        Some((SleepMode::EndOfChapter, _)) => "Sleep: end of chapter".to_string(),
        Some((SleepMode::After(_), left)) => format!("Sleep {}", format_clock(left.unwrap_or(0.0).ceil())),
    }
}

/// The sleep timer's presets, in minutes.
pub const SLEEP_PRESETS: [u64; 6] = [5, 10, 15, 30, 45, 60];

/// The sleep timer: a menu of presets, the end of this episode or chapter, or minutes typed in;
/// while it runs, the time left is its title.
fn sleep_menu(
    ui: &mut egui::Ui,
    title: String,
    timer: Option<(SleepMode, Option<f64>)>,
    chapters: bool,
    minutes_typed: &mut u32,
    actions: &mut Vec<Action>,
) {
    let sleep = |mode| Action::Listen(Command::Sleep(mode));
    let menu = ui.menu_button(title, |ui| {
        ui.label(egui::RichText::new("Stop playing…").weak());
        for minutes in SLEEP_PRESETS {
            if ui.button(format!("In {minutes} minutes")).clicked() {
                actions.push(sleep(Some(SleepMode::After(std::time::Duration::from_secs(minutes * 60)))));
            }
        }
        if ui.button("At the end of this episode").clicked() {
            actions.push(sleep(Some(SleepMode::EndOfEpisode)));
        }
        if chapters && ui.button("At the end of this chapter").clicked() {
            actions.push(sleep(Some(SleepMode::EndOfChapter)));
        }
        ui.horizontal(|ui| {
            ui.label("In");
            ui.add(egui::DragValue::new(minutes_typed).range(1..=600).suffix(" min"))
                .labelled(egui::Role::SpinButton, "Sleep after minutes");
            if ui.button("Start").clicked() {
                let after = std::time::Duration::from_secs(u64::from(*minutes_typed) * 60);
                actions.push(sleep(Some(SleepMode::After(after))));
            }
        });
        if timer.is_some() && ui.button("Turn the sleep timer off").clicked() {
            actions.push(sleep(None));
        }
    });
    menu.response.on_hover_text("Sleep timer (Z)");
}
