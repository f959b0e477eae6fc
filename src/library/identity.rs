//! Which followed show an address or a `podcast:guid` names, and what the refresh timer needs of
//! each show.

use super::{Library, Result};
use crate::model::PodcastId;

/// A show as the refresh timer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTimer {
    pub podcast: PodcastId,
    /// When it was last refreshed (or tried), Unix seconds.
    pub last_refresh: Option<i64>,
    /// Refreshes in a row that failed.
    pub failures: u32,
    /// How often its feed says it changes.
    pub update_every_secs: Option<u64>,
}

impl Library {
    /// The followed show any of `addresses` (compared as `feed_address_key` does, with each
    /// show's address, the address it says it moved to and the one it gives itself) or `guid`
    /// (`podcast:guid`) names, with its title.
    pub fn following(&self, addresses: &[String], guid: Option<&str>) -> Result<Option<(PodcastId, String)>> {
        use crate::model::address::feed_address_key;
        let wanted: Vec<String> = addresses.iter().map(|a| feed_address_key(a)).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, feed_url, declared_feed_url, self_url, podcast_guid FROM podcasts WHERE bundled = 0",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let known: [Option<String>; 3] = [row.get(2)?, row.get(3)?, row.get(4)?];
            let same_address = known.iter().flatten().any(|a| wanted.contains(&feed_address_key(a)));
            let their_guid: Option<String> = row.get(5)?;
            let same_guid = matches!((guid, their_guid.as_deref()), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
            if same_address || same_guid {
                return Ok(Some((PodcastId(row.get(0)?), row.get(1)?)));
            }
        }
        Ok(None)
    }

    /// What the refresh timer needs of each show it refreshes.
    pub fn refresh_timers(&self) -> Result<Vec<RefreshTimer>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, last_refresh, refresh_failures, update_every_secs FROM podcasts WHERE bundled = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RefreshTimer {
                podcast: PodcastId(r.get(0)?),
                last_refresh: r.get(1)?,
                failures: r.get(2)?,
                update_every_secs: r.get::<_, Option<i64>>(3)?.map(|secs| secs.max(0) as u64),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
