//! The Sync window's actions and the net service's sync news. Keeping an account touches the
//! secret store (D-Bus), so it runs off the UI thread; the sync itself is the net service's.

use super::HarkApp;
use crate::error::HarkError;
use crate::library::Library;
use crate::model::sync::SyncAccount;
use crate::net::{NetCommand, RequestId};
use crate::sync::{Summary, device_id, secret};
use crate::ui::sync::{SyncForm, SyncStatus};

impl HarkApp {
    pub(super) fn open_sync(&mut self) -> Result<(), HarkError> {
        self.reload_sync_status()?;
        let view = &mut self.state.sync;
        view.open = true;
        view.form = match &view.status {
            Some(s) => SyncForm {
                kind: s.kind,
                server: s.server.clone(),
                user: s.user.clone(),
                password: String::new(),
                device: s.device.clone(),
            },
            None => SyncForm { device: crate::sync::default_device(), ..SyncForm::default() },
        };
        Ok(())
    }

    pub(super) fn reload_sync_status(&mut self) -> Result<(), HarkError> {
        let pending = self.library.sync_pending_count()?;
        self.state.sync.status = self.library.sync_account()?.map(|a| SyncStatus {
            kind: a.kind,
            server: a.server,
            user: a.user,
            device: a.device,
            last_sync: a.last_sync,
            last_result: a.last_result,
            last_error: a.last_error,
            pending,
        });
        Ok(())
    }

    /// Keeps the account (the password in the secret store, else a file only the user can
    /// read), then syncs; a wrong password shows in the window's line.
    pub(super) fn sync_login(&mut self, form: SyncForm) -> Result<(), HarkError> {
        crate::sync::api::server_url(&form.server).map_err(|e| HarkError::Other(e.to_string()))?;
        let account = SyncAccount {
            kind: form.kind,
            server: form.server.trim().trim_end_matches('/').to_string(),
            user: form.user.trim().to_string(),
            device: device_id(&form.device),
            registered: false,
            last_sync: None,
            last_result: None,
            last_error: None,
        };
        let (paths, net) = (self.paths.clone(), self.net.sender());
        let request = self.request_id();
        self.state.sync.running = true;
        std::thread::spawn(move || {
            let kept = Library::open(&paths.database()).map_err(HarkError::from).and_then(|mut library| {
                if let Some(old) = library.sync_account()? {
                    secret::forget(&paths, &old);
                }
                library.set_sync_account(&account)?;
                secret::store(&paths, &account, &form.password)
            });
            match kept {
                Ok(_) => net.send(NetCommand::Sync { request }),
                Err(e) => tracing::warn!("sync: the account could not be kept: {e}"),
            }
        });
        Ok(())
    }

    pub(super) fn sync_now(&mut self) {
        let request = self.request_id();
        self.state.sync.running = true;
        self.net.send(NetCommand::Sync { request });
    }

    pub(super) fn sync_logout(&mut self) -> Result<(), HarkError> {
        if let Some(account) = self.library.sync_account()? {
            let paths = self.paths.clone();
            std::thread::spawn(move || secret::forget(&paths, &account));
        }
        self.library.forget_sync_account()?;
        self.reload_sync_status()
    }

    /// A sync ended: the window's line, and the views when positions or shows moved.
    pub(super) fn on_synced(
        &mut self,
        _request: Option<RequestId>,
        result: &Result<Summary, String>,
    ) -> Result<(), HarkError> {
        self.state.sync.running = false;
        self.reload_sync_status()?;
        if let Ok(summary) = result
            && (summary.subscribed + summary.unsubscribed > 0 || !summary.moved.is_empty())
        {
            self.podcasts_stale = true;
            self.refresh_views()?;
        }
        Ok(())
    }
}
