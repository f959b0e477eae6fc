//! The Sync window: the server (gpodder API or Nextcloud), address, user, password and device
//! name; *Sync now*; and the last result in one calm line ("Synced 2 min ago: +2 subscriptions,
//! 14 positions"), errors in the same line with their real cause.

use chrono::{DateTime, Utc};
use eframe::egui;

use super::{Action, UiState};
use crate::model::sync::SyncKind;

/// What the listener types to set up sync. The password stays here only until it is kept (in
/// the secret store, else a file only the user can read).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SyncForm {
    pub kind: SyncKind,
    pub server: String,
    pub user: String,
    pub password: String,
    pub device: String,
}

impl std::fmt::Debug for SyncForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncForm")
            .field("kind", &self.kind)
            .field("server", &self.server)
            .field("user", &self.user)
            .finish()
    }
}

/// The account as the window shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub kind: SyncKind,
    pub server: String,
    pub user: String,
    pub device: String,
    pub last_sync: Option<DateTime<Utc>>,
    pub last_result: Option<String>,
    pub last_error: Option<String>,
    pub pending: usize,
}

#[derive(Debug, Default)]
pub struct SyncView {
    pub open: bool,
    pub form: SyncForm,
    /// None: no account set up.
    pub status: Option<SyncStatus>,
    pub running: bool,
}

/// The one line: what the last sync did, or why it failed.
pub fn status_line(view: &SyncView, now: DateTime<Utc>) -> String {
    if view.running {
        return "Syncing…".into();
    }
    let Some(status) = &view.status else { return "Not set up: give your server below.".into() };
    let when = status.last_sync.map(|at| ago(now - at));
    match (&status.last_error, when, &status.last_result) {
        (Some(error), _, _) => format!("Sync failed: {error}"),
        (None, Some(when), Some(result)) => format!("Synced {when}: {result}"),
        _ => "Not synced yet.".into(),
    }
}

fn ago(elapsed: chrono::TimeDelta) -> String {
    match elapsed.num_minutes() {
        m if m < 1 => "just now".into(),
        1 => "1 min ago".into(),
        m if m < 60 => format!("{m} min ago"),
        m if m < 48 * 60 => format!("{} h ago", m / 60),
        m => format!("{} days ago", m / (24 * 60)),
    }
}

pub fn window(ui: &egui::Ui, state: &mut UiState, actions: &mut Vec<Action>) {
    if !state.sync.open {
        return;
    }
    let mut open = true;
    super::widgets::dialog(ui.ctx(), "Sync").open(&mut open).default_width(440.0).show(ui.ctx(), |ui| {
        ui.label(status_line(&state.sync, Utc::now()));
        if let Some(status) = &state.sync.status {
            ui.label(format!(
                "{} at {} as {} (this device: {}); {} change{} waiting to be sent",
                status.kind.label(),
                status.server,
                status.user,
                status.device,
                status.pending,
                if status.pending == 1 { "" } else { "s" }
            ));
            ui.horizontal(|ui| {
                let idle = !state.sync.running;
                if ui.add_enabled(idle, egui::Button::new("Sync now")).clicked() {
                    actions.push(Action::SyncNow);
                }
                if ui.button("Log out").on_hover_text("Forget the account and its password here").clicked() {
                    actions.push(Action::SyncLogout);
                }
            });
        }
        ui.separator();
        form(ui, &mut state.sync.form, actions);
    });
    if !open {
        state.sync.open = false;
        state.sync.form.password.clear();
    }
}

fn form(ui: &mut egui::Ui, form: &mut SyncForm, actions: &mut Vec<Action>) {
    egui::Grid::new("sync-form").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.label("Server");
        ui.horizontal(|ui| {
            ui.radio_value(&mut form.kind, SyncKind::Gpodder, "gpodder API (podsync, gpodder.net)");
            ui.radio_value(&mut form.kind, SyncKind::Nextcloud, "Nextcloud");
        });
        ui.end_row();
        ui.label("Address");
        ui.text_edit_singleline(&mut form.server).on_hover_text("e.g. https://sync.example.com");
        ui.end_row();
        ui.label("User");
        ui.text_edit_singleline(&mut form.user);
        ui.end_row();
        ui.label("Password");
        ui.add(egui::TextEdit::singleline(&mut form.password).password(true))
            .on_hover_text("Nextcloud: an app password. Kept in the desktop's secret store.");
        ui.end_row();
        ui.label("Device name");
        ui.text_edit_singleline(&mut form.device);
        ui.end_row();
    });
    let ready = !form.server.trim().is_empty() && !form.user.trim().is_empty() && !form.password.is_empty();
    if ui.add_enabled(ready, egui::Button::new("Save and sync")).clicked() {
        actions.push(Action::SyncLogin(form.clone()));
        form.password.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_when_and_what_or_why_not() {
        let now = Utc::now();
        let mut view = SyncView::default();
        assert_eq!(status_line(&view, now), "Not set up: give your server below.");
        view.status = Some(SyncStatus {
            last_sync: Some(now - chrono::TimeDelta::minutes(2)),
            last_result: Some("+2 subscriptions, 14 positions".into()),
            ..SyncStatus::default()
        });
        assert_eq!(status_line(&view, now), "Synced 2 min ago: +2 subscriptions, 14 positions");
        view.status.as_mut().unwrap().last_error = Some("sync.example.com could not be reached".into());
        assert_eq!(status_line(&view, now), "Sync failed: sync.example.com could not be reached");
        view.running = true;
        assert_eq!(status_line(&view, now), "Syncing…");
    }
}
