//! Plain data of sync with a gpodder-API server or Nextcloud's gpoddersync: the account, and the
//! changes that travel each way.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which protocol the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SyncKind {
    /// The gpodder.net API v2, as podsync, gpodder.net and mygpo speak it.
    #[default]
    Gpodder,
    /// Nextcloud's gpoddersync app.
    Nextcloud,
}

impl SyncKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gpodder => "gpodder",
            Self::Nextcloud => "nextcloud",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "gpodder" => Some(Self::Gpodder),
            "nextcloud" => Some(Self::Nextcloud),
            _ => None,
        }
    }

    /// How the window and the CLI name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Gpodder => "gpodder API",
            Self::Nextcloud => "Nextcloud",
        }
    }
}

/// The sync account as the library keeps it: never its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncAccount {
    pub kind: SyncKind,
    /// The server's address, e.g. `https://gpodder.example.com` (no credentials in it).
    pub server: String,
    pub user: String,
    /// This Hark's device id on the server.
    pub device: String,
    /// The device was registered with the server (gpodder API only).
    pub registered: bool,
    pub last_sync: Option<DateTime<Utc>>,
    /// What the last sync that completed moved, in words.
    pub last_result: Option<String>,
    /// Why the last sync failed, if it did (cleared by the next that completes).
    pub last_error: Option<String>,
}

/// A local change waiting in the outbox until the server confirms it.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxChange {
    Subscribe {
        url: String,
    },
    Unsubscribe {
        url: String,
    },
    /// An episode's state after its last change here.
    Episode(EpisodeState),
}

#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeState {
    pub podcast: String,
    pub episode: String,
    pub guid: Option<String>,
    /// Where this stretch of listening started.
    pub started: f64,
    pub position: f64,
    pub played: bool,
    pub duration: Option<u32>,
    /// When it changed here (Unix seconds, UTC).
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The outbox's key for it (one row per feed or per episode).
    pub key: String,
    pub change: OutboxChange,
    /// Sent once without an answer (a reply cut short): the server may already have it.
    pub attempted: bool,
}

/// An episode as sync matches remote actions to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncEpisode {
    pub id: super::EpisodeId,
    pub feed_url: String,
    pub url: String,
    pub guid: Option<String>,
    pub title: String,
    pub duration: Option<u32>,
    pub position: f64,
    pub played: bool,
}
