//! The Preferences window: every preference `hark config` knows, each with the control its kind
//! takes. A change is an action carrying the value as `hark config NAME VALUE` would.

use eframe::egui;

use super::{Action, UiState};
use crate::preferences::{Kind, Preference};

/// The refresh intervals offered (`hark config` takes any from 1m to 24h).
const INTERVALS: [&str; 9] = ["off", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "24h"];

pub fn window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some(values) = &state.preferences else { return };
    let mut open = true;
    super::widgets::dialog(ui.ctx(), "Preferences").open(&mut open).resizable(false).show(ui.ctx(), |ui| {
        super::widgets::fitted(ui, |ui| {
            egui::Grid::new("preferences").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
                for (preference, value) in values {
                    let label = ui.label(label_of(preference)).on_hover_text(preference.about);
                    if preference.kind == Kind::Folder {
                        folder_control(ui, preference, value, actions);
                    } else if let Some(value) = control(ui, preference, value, label.id) {
                        actions.push(Action::SetPreference { name: preference.name, value });
                    }
                    ui.end_row();
                }
            });
            ui.label(egui::RichText::new("The same settings: hark config").weak());
        });
    });
    if !open {
        state.preferences = None;
    }
}

/// "skip-back" → "Skip back".
fn label_of(preference: &Preference) -> String {
    let words = preference.name.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A folder: where it is, *Choose…* (the desktop's folder dialog or the window's own picker),
/// and *Use default* when it is not the default. Choosing moves the downloads there.
fn folder_control(ui: &mut egui::Ui, preference: &Preference, value: &str, actions: &mut Vec<Action>) {
    ui.vertical(|ui| {
        let shown = if value == preference.default { "default (in Hark's data folder)" } else { value };
        ui.add(egui::Label::new(shown).truncate()).on_hover_text(value);
        ui.horizontal(|ui| {
            if ui.button("Choose…").on_hover_text(preference.about).clicked() {
                actions.push(Action::ChooseDownloadFolder);
            }
            if value != preference.default && ui.button("Use default").clicked() {
                actions.push(Action::SetPreference { name: preference.name, value: preference.default.to_string() });
            }
        });
    });
}

/// The control for one preference; Some(new value) when the listener changed it.
fn control(ui: &mut egui::Ui, preference: &Preference, value: &str, label: egui::Id) -> Option<String> {
    match &preference.kind {
        Kind::Switch => {
            let mut on = value == "on";
            let changed = ui.checkbox(&mut on, "").labelled_by(label).on_hover_text(preference.about).changed();
            changed.then(|| if on { "on" } else { "off" }.to_string())
        }
        Kind::Seconds(range) | Kind::Count(range) => {
            let mut number: u32 = value.parse().unwrap_or(*range.start());
            let suffix = if matches!(preference.kind, Kind::Seconds(_)) { " s" } else { "" };
            let drag = egui::DragValue::new(&mut number).range(range.clone()).suffix(suffix);
            let response = ui.add(drag).labelled_by(label).on_hover_text(preference.about);
            response.changed().then(|| number.to_string())
        }
        Kind::Speed => {
            let mut speed: f32 = value.parse().unwrap_or(1.0);
            let drag = egui::DragValue::new(&mut speed)
                .range(crate::player::SPEED_RANGE)
                .speed(crate::player::SPEED_STEP)
                .fixed_decimals(1)
                .suffix("×");
            let response = ui.add(drag).labelled_by(label).on_hover_text(preference.about);
            response.changed().then(|| format!("{speed:.1}"))
        }
        Kind::Folder => None,
        Kind::Interval | Kind::Choice(_) => {
            let choices: &[&str] = match &preference.kind {
                Kind::Choice(words) => words,
                _ => &INTERVALS,
            };
            let mut chosen = None;
            let combo =
                egui::ComboBox::from_id_salt(("preference", preference.name)).selected_text(value).show_ui(ui, |ui| {
                    for choice in choices {
                        if ui.selectable_label(*choice == value, *choice).clicked() {
                            chosen = Some(choice.to_string());
                        }
                    }
                });
            combo.response.labelled_by(label);
            chosen.filter(|c| c != value)
        }
    }
}
