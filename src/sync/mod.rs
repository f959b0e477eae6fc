//! Sync with the listener's other devices through a server they already run: the gpodder.net
//! API v2 (podsync, gpodder.net, mygpo) or Nextcloud's gpoddersync. UI-free; the net service
//! runs it (`net::sync`), as does `hark sync`.
//!
//! A sync (`exchange`): log in; read the subscription changes of every other device of the
//! account (gpodder API: each device keeps its own list, read with its own `since`; Nextcloud:
//! one list) and merge them; read the episode actions since the last sync and merge them
//! (`merge`); send this device's subscribes and unsubscribes, then its episode actions in
//! batches of `BATCH`, each leaving the library's outbox only once the server confirmed it.
//! Every `since` is the server's own timestamp from its last answer, never the local clock.

pub mod api;
pub mod merge;
pub mod secret;

use std::fmt;

use thiserror::Error;

use crate::error::{FeedError, HarkError};
use crate::library::Library;
use crate::model::EpisodeId;
use crate::model::sync::{EpisodeState, OutboxChange, SyncKind};
use api::{Session, WireAction, format_timestamp};

/// Episode actions per upload.
pub const BATCH: usize = 500;
/// Nextcloud's gpoddersync compares `since` with each action's own timestamp (the clock of the
/// device that wrote it), so actions are asked for from this much earlier: a device whose clock
/// is up to a day behind is still heard. What comes twice is recognised (`sync_seen`).
pub const NEXTCLOUD_LOOKBACK_SECS: i64 = 24 * 3600;
/// Every list is asked for from a second before the timestamp kept: the server compares with
/// `>` in whole seconds, so what it stored in the second of its last answer (another device's
/// change, or ours whose answer was lost) still comes; what comes twice is recognised.
const OVERLAP_SECS: i64 = 1;
/// The `since` list of the account's episode actions.
const ACTIONS: &str = "actions";

#[derive(Debug, Error)]
pub enum SyncError {
    /// The server could not be reached: waits quietly and catches up next time.
    #[error("{0}")]
    Unreachable(String),
    #[error("{server} refused the password for {user} (HTTP {status})")]
    Refused { server: String, user: String, status: u16 },
    #[error("{url} answered HTTP {status}{}", if *status >= 500 { " (server error)" } else { "" })]
    Status { url: String, status: u16 },
    #[error("{0}")]
    Failed(String),
}

impl SyncError {
    pub(crate) fn from_feed(error: FeedError, server: &url::Url) -> Self {
        match error {
            FeedError::Network { .. } => Self::Unreachable(format!("{error}")),
            other => Self::Failed(format!("{server}: {other}")),
        }
    }

    fn is_server_error(&self) -> bool {
        matches!(self, Self::Status { status, .. } if *status >= 500)
    }
}

impl From<HarkError> for SyncError {
    fn from(error: HarkError) -> Self {
        Self::Failed(error.to_string())
    }
}

impl From<crate::error::LibraryError> for SyncError {
    fn from(error: crate::error::LibraryError) -> Self {
        Self::Failed(error.to_string())
    }
}

/// What a sync moved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub subscribed: usize,
    pub unsubscribed: usize,
    pub positions: usize,
    pub played: usize,
    /// Local changes the server confirmed.
    pub sent: usize,
    /// Episodes whose position or played state came from another device.
    pub moved: Vec<EpisodeId>,
    /// What the server would not do, each one calm line (the sync still completed).
    pub notes: Vec<String>,
}

impl fmt::Display for Summary {
    /// "+2 subscriptions, −1, 14 positions, 3 played; 5 changes sent", or "nothing new".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if self.subscribed > 0 {
            parts.push(format!("+{} subscription{}", self.subscribed, plural(self.subscribed)));
        }
        if self.unsubscribed > 0 {
            parts.push(format!("−{}", self.unsubscribed));
        }
        if self.positions > 0 {
            parts.push(format!("{} position{}", self.positions, plural(self.positions)));
        }
        if self.played > 0 {
            parts.push(format!("{} played", self.played));
        }
        let moved = if parts.is_empty() { "nothing new".to_string() } else { parts.join(", ") };
        match self.sent {
            0 => write!(f, "{moved}"),
            n => write!(f, "{moved}; {n} change{} sent", plural(n)),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A device id the server takes (letters, digits and dashes: podsync splits paths at dots).
pub fn device_id(name: &str) -> String {
    let id: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    let id = id.trim_matches('-').to_string();
    if id.is_empty() { default_device() } else { id }
}

/// `hark-<host name>`.
pub fn default_device() -> String {
    let host = std::fs::read_to_string("/etc/hostname").ok().or_else(|| std::env::var("HOSTNAME").ok());
    let host = host.map(|h| h.trim().to_string()).filter(|h| !h.is_empty()).unwrap_or_else(|| "desktop".into());
    let id: String = host.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("hark-{}", if id.is_empty() { "desktop".into() } else { id })
}

/// Checks the address, user and password with the server (and registers the device), before
/// anything is kept.
pub async fn check_login(
    client: &reqwest::Client,
    account: &crate::model::sync::SyncAccount,
    password: &str,
) -> Result<(), SyncError> {
    let mut session = Session::new(client, account, password)?;
    session.login().await?;
    if account.kind == SyncKind::Nextcloud {
        // Nextcloud has no login: one small read proves the app password.
        session.feed_changes(&account.device, chrono::Utc::now().timestamp()).await?;
    }
    Ok(())
}

/// What a sync leaves for its caller: subscribing to shows other devices follow (that needs
/// the feed fetched: `net::sync`), then `merge::apply_held`.
pub struct Exchanged {
    pub summary: Summary,
    pub to_subscribe: Vec<String>,
}

/// One sync with the server (see the module), short of subscribing to new shows.
pub async fn exchange(client: &reqwest::Client, library: &mut Library, password: &str) -> Result<Exchanged, SyncError> {
    let account =
        library.sync_account()?.ok_or_else(|| SyncError::Failed("no sync account: hark sync login first".into()))?;
    let mut session = Session::new(client, &account, password)?;
    session.login().await?;
    let mut summary = Summary::default();
    merge_feeds(&session, library, &account, &mut summary).await?;
    receive_actions(&session, library, &mut summary).await?;
    send_feeds(&session, library, &mut summary).await?;
    if send_actions(&session, library, &mut summary).await? > 0 {
        // What was sent comes back from a `since` taken before it: read it now (it confirms
        // itself, and another device's action that came meanwhile is merged), so the next sync
        // starts after it.
        receive_actions(&session, library, &mut summary).await?;
    }
    Ok(Exchanged { summary, to_subscribe: library.sync_wanted()? })
}

/// The account's episode actions since the last answer's timestamp, merged.
async fn receive_actions(session: &Session<'_>, library: &mut Library, summary: &mut Summary) -> Result<(), SyncError> {
    let since = library.sync_since(ACTIONS)?;
    let asked = match session.kind() {
        SyncKind::Nextcloud => since - NEXTCLOUD_LOOKBACK_SECS,
        SyncKind::Gpodder => since - OVERLAP_SECS,
    };
    let reply = session.actions(if since > 0 { asked.max(0) } else { 0 }).await?;
    let timestamp = merge::take_in(library, &reply)?;
    drop(reply);
    library.set_sync_since(ACTIONS, timestamp)?;
    let applied = merge::apply_held(library)?;
    summary.positions += applied.positions;
    summary.played += applied.played;
    summary.moved.extend(applied.moved);
    Ok(())
}

/// The other devices' subscription changes, merged; what the server cannot do is a note.
async fn merge_feeds(
    session: &Session<'_>,
    library: &mut Library,
    account: &crate::model::sync::SyncAccount,
    summary: &mut Summary,
) -> Result<(), SyncError> {
    let devices = match account.kind {
        SyncKind::Nextcloud => vec![String::new()],
        SyncKind::Gpodder => {
            if !account.registered {
                let caption = format!("Hark on {}", account.device.trim_start_matches("hark-"));
                match session.register_device(&caption).await {
                    Ok(()) => library.set_sync_registered()?,
                    Err(e) if e.is_server_error() => summary.notes.push(format!("this device was not registered: {e}")),
                    Err(e) => return Err(e),
                }
            }
            match session.devices().await {
                Ok(devices) => devices.into_iter().filter(|d| d != session.device()).collect(),
                Err(e) if e.is_server_error() => {
                    summary.notes.push(format!(
                        "the server would not list this account's devices ({e}): only this device's subscriptions \
                         and the episode actions sync"
                    ));
                    Vec::new()
                }
                Err(e) => return Err(e),
            }
        }
    };
    for device in devices {
        let list = format!("subs:{device}");
        let since = library.sync_since(&list)?;
        let changes = session.feed_changes(&device, (since - OVERLAP_SECS).max(0)).await?;
        summary.unsubscribed += merge::apply_feed_changes(library, &device, &changes)?;
        library.set_sync_since(&list, changes.timestamp)?;
    }
    Ok(())
}

/// This device's subscribes and unsubscribes; addresses the server rewrote are adopted.
async fn send_feeds(session: &Session<'_>, library: &mut Library, summary: &mut Summary) -> Result<(), SyncError> {
    let (mut add, mut remove, mut sent) = (Vec::new(), Vec::new(), Vec::new());
    for (entry, rev, _) in library.sync_outbox(false, 0, usize::MAX >> 1)? {
        match entry.change {
            OutboxChange::Subscribe { url } => add.push(url),
            OutboxChange::Unsubscribe { url } => remove.push(url),
            OutboxChange::Episode(_) => continue,
        }
        sent.push((entry.key, rev, None));
    }
    if sent.is_empty() {
        return Ok(());
    }
    let attempted: Vec<(String, i64)> = sent.iter().map(|(k, r, _)| (k.clone(), *r)).collect();
    library.mark_sync_attempted(&attempted, &[])?;
    let uploaded = session.upload_feeds(&add, &remove).await?;
    library.confirm_sync_sent(&sent)?;
    summary.sent += sent.len();
    for (old, new) in uploaded.update_urls {
        if !new.is_empty() && old != new && library.adopt_sync_url(&old, &new)? {
            tracing::info!("sync: the server gave {old} a new address, {new}");
        }
    }
    if session.kind() == SyncKind::Gpodder {
        library.set_sync_since(&format!("subs:{}", session.device()), uploaded.timestamp)?;
    }
    Ok(())
}

/// This device's episode actions, `BATCH` at a time (read from the outbox a batch at a time);
/// each batch leaves the outbox once the server confirmed it, so a failure part way sends only
/// the rest next time. Returns how many were sent.
async fn send_actions(session: &Session<'_>, library: &mut Library, summary: &mut Summary) -> Result<usize, SyncError> {
    let (mut after, mut count) = (0, 0);
    loop {
        let page = library.sync_outbox(true, after, BATCH)?;
        let Some(last) = page.last() else { return Ok(count) };
        after = last.2;
        let batch: Vec<(String, i64, WireAction)> = page
            .into_iter()
            .filter_map(|(entry, rev, _)| match entry.change {
                OutboxChange::Episode(state) => Some((entry.key, rev, to_wire(&state, session.device()))),
                _ => None,
            })
            .collect();
        let attempted: Vec<(String, i64)> = batch.iter().map(|(k, r, _)| (k.clone(), *r)).collect();
        let seen: Vec<(String, String)> = batch.iter().map(|(k, _, a)| (k.clone(), merge::identity(a))).collect();
        library.mark_sync_attempted(&attempted, &seen)?;
        let actions: Vec<WireAction> = batch.iter().map(|(_, _, a)| a.clone()).collect();
        session.upload_actions(&actions).await?;
        let sent: Vec<(String, i64, Option<String>)> = batch.into_iter().map(|(k, r, _)| (k, r, None)).collect();
        library.confirm_sync_sent(&sent)?;
        summary.sent += sent.len();
        count += sent.len();
    }
}

/// After subscribing to what other devices follow (`net::sync::run`), those subscribes go out
/// at once, so the next sync has nothing left to say.
pub async fn send_pending(client: &reqwest::Client, library: &mut Library, password: &str) -> Result<usize, SyncError> {
    let account = library.sync_account()?.ok_or_else(|| SyncError::Failed("no sync account".into()))?;
    let mut session = Session::new(client, &account, password)?;
    session.login().await?;
    let mut summary = Summary::default();
    send_feeds(&session, library, &mut summary).await?;
    send_actions(&session, library, &mut summary).await?;
    Ok(summary.sent)
}

/// An episode's state as the action other apps read: played is a `play` to its end (as
/// AntennaPod writes it), back at the start and unplayed is `new`, else a `play` from where
/// this stretch started to where it stopped.
pub fn to_wire(state: &EpisodeState, device: &str) -> WireAction {
    let secs = |s: f64| s.max(0.0).round() as i64;
    let duration = state.duration.map(i64::from).filter(|d| *d > 0);
    let (action, started, position, total) = if state.played {
        let total = duration.unwrap_or_else(|| secs(state.position).max(1));
        ("play", Some(secs(state.started).min(total)), Some(total), Some(total))
    } else if state.position <= 0.0 {
        ("new", None, None, None)
    } else {
        let position = secs(state.position);
        // Unknown length: 0, which no reader takes for "at the end".
        ("play", Some(secs(state.started).min(position)), Some(position), Some(duration.unwrap_or(0)))
    };
    WireAction {
        podcast: state.podcast.clone(),
        episode: state.episode.clone(),
        guid: state.guid.clone(),
        action: action.into(),
        timestamp: format_timestamp(state.at),
        started,
        position,
        total,
        device: Some(device.to_string()),
        title: None,
    }
}
