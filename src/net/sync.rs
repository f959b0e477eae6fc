//! Sync on the net service: `NetCommand::Sync` in, `NetEvent::Synced` out (naming the request it
//! answers; None for the service's own). In the window the service also syncs after every
//! refresh, every `sync_every_minutes` (default 15) while it is open, and once when it closes,
//! bounded by `CLOSING_SYNC`. One sync at a time: a request during one runs once it ended.

use std::time::Duration;

use tokio::sync::mpsc;

use super::{Internal, NetEvent, RequestId, Service, refresh};
use crate::library::Library;
use crate::paths::AppPaths;
use crate::sync::{Summary, SyncError, merge, secret};

/// The window's last sync, as it closes: never longer than this.
pub const CLOSING_SYNC: Duration = Duration::from_secs(3);
/// How often the open window syncs, unless the setting says otherwise.
pub const DEFAULT_EVERY_MINUTES: u64 = 15;
/// The setting: minutes between syncs while the window is open.
pub const EVERY_MINUTES: &str = "sync_every_minutes";

/// A whole sync: the exchange with the server, then the shows other devices follow subscribed
/// here (a show whose feed cannot be fetched stays wanted, tried again next time) and the
/// actions held for their episodes applied.
pub async fn run(client: &reqwest::Client, library: &mut Library, password: &str) -> Result<Summary, SyncError> {
    let exchanged = crate::sync::exchange(client, library, password).await?;
    let mut summary = exchanged.summary;
    for url in exchanged.to_subscribe {
        match refresh::fetch_new(client, &url).await.and_then(|f| refresh::apply_subscription(library, f)) {
            Ok(_) => {
                library.sync_unwant(&url)?;
                summary.subscribed += 1;
            }
            Err(e) => summary.notes.push(format!("not subscribed to {url} yet: {e}")),
        }
    }
    let held = merge::apply_held(library)?;
    summary.positions += held.positions;
    summary.played += held.played;
    summary.moved.extend(held.moved);
    if summary.subscribed > 0 {
        summary.sent += crate::sync::send_pending(client, library, password).await?;
    }
    Ok(summary)
}

/// A sync as the window and `hark sync` run it: the password from where it is kept, and the
/// outcome recorded in the library (what moved, or why it failed, in one line).
pub async fn sync_now(client: &reqwest::Client, library: &mut Library, paths: &AppPaths) -> Result<Summary, String> {
    let account = library
        .sync_account()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "no sync account: log in first (hark sync login, or Sync in the window)".to_string())?;
    let (paths, kept_for) = (paths.clone(), account.clone());
    let password = tokio::task::spawn_blocking(move || secret::load(&paths, &kept_for))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let result = run(client, library, &password).await.map_err(|e| crate::error::one_line(&e.to_string()));
    let recorded = match &result {
        Ok(summary) => library.record_sync_outcome(Ok(&summary.to_string())),
        Err(line) => library.record_sync_outcome(Err(line)),
    };
    if let Err(e) = recorded {
        tracing::warn!("sync: could not record the outcome: {e}");
    }
    result
}

/// When the window's timer first fires, and then how often.
pub fn every(library: &Library) -> Duration {
    let minutes = library.setting(EVERY_MINUTES).ok().flatten().and_then(|m| m.parse::<u64>().ok());
    Duration::from_secs(minutes.filter(|m| *m > 0).unwrap_or(DEFAULT_EVERY_MINUTES) * 60)
}

pub(super) fn timer(library: &Library) -> tokio::time::Interval {
    let period = every(library);
    let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

fn has_account(paths: &AppPaths) -> bool {
    Library::open(&paths.database()).ok().and_then(|l| l.sync_account().ok().flatten()).is_some()
}

impl Service {
    /// Starts a sync, or asks for one more once the running one ends.
    pub(super) fn start_sync(&mut self, request: Option<RequestId>, done: &mpsc::UnboundedSender<Internal>) {
        if self.syncing {
            self.sync_again = Some(request.or(self.sync_again.flatten()));
            return;
        }
        if request.is_none() && !has_account(&self.paths) {
            return;
        }
        self.syncing = true;
        let (client, paths, done) = (self.client.clone(), self.paths.clone(), done.clone());
        tokio::spawn(async move {
            let result = match Library::open(&paths.database()) {
                Ok(mut library) => sync_now(&client, &mut library, &paths).await,
                Err(e) => Err(e.to_string()),
            };
            let _ = done.send(Internal::Synced { request, result });
        });
    }

    pub(super) fn sync_ended(
        &mut self,
        request: Option<RequestId>,
        result: Result<Summary, String>,
        done: &mpsc::UnboundedSender<Internal>,
    ) {
        self.syncing = false;
        if let Err(line) = &result {
            tracing::info!("sync: {line}");
        }
        self.emit(NetEvent::Synced { request, result });
        if let Some(again) = self.sync_again.take() {
            self.start_sync(again, done);
        }
    }

    /// The window closes: one last sync, if there is an account, never longer than
    /// `CLOSING_SYNC` (what it could not send waits in the outbox for the next run). A sync
    /// already running is waited for instead (also bounded), never run twice at once.
    pub(super) async fn closing_sync(&self, done: &mut mpsc::UnboundedReceiver<Internal>) {
        if !self.auto_sync {
            return;
        }
        if self.syncing {
            let running = async {
                while let Some(event) = done.recv().await {
                    if let Internal::Synced { result, .. } = event {
                        return result;
                    }
                }
                Err("the sync was cut short".to_string())
            };
            match tokio::time::timeout(CLOSING_SYNC, running).await {
                Ok(result) => tracing::info!("sync on closing: {}", result.map_or_else(|e| e, |s| s.to_string())),
                Err(_) => tracing::info!("sync on closing: stopped after {CLOSING_SYNC:?}; the rest goes next time"),
            }
            return;
        }
        if !has_account(&self.paths) {
            return;
        }
        let sync = async {
            let mut library = Library::open(&self.paths.database()).map_err(|e| e.to_string())?;
            sync_now(&self.client, &mut library, &self.paths).await
        };
        match tokio::time::timeout(CLOSING_SYNC, sync).await {
            Ok(Ok(summary)) => tracing::info!("sync on closing: {summary}"),
            Ok(Err(line)) => tracing::info!("sync on closing: {line}"),
            Err(_) => tracing::info!("sync on closing: stopped after {CLOSING_SYNC:?}; the rest goes next time"),
        }
    }
}
