//! `hark inbox`: the same Inbox as the window's.

use std::io::Write;

use serde::Serialize;

use super::say;
use crate::error::HarkError;
use crate::library::Library;
use crate::model::format_clock;

#[derive(Serialize)]
struct InboxLine<'a> {
    episode_id: i64,
    podcast_id: i64,
    podcast_title: &'a str,
    episode_title: &'a str,
    published: Option<String>,
    duration_secs: Option<u32>,
}

/// Lists the Inbox, newest first; or takes an episode (`EP`: an id or a unique part of its
/// title) or `all` out of it.
pub fn inbox(library: &mut Library, dismiss: Option<&str>, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    if let Some(which) = dismiss {
        let episode = if which == "all" { None } else { Some(library.find_episode(which)?) };
        let dismissed = library.dismiss_inbox(episode)?;
        say(out, format!("Dismissed {dismissed} from the Inbox; {} left", library.inbox_count()?));
        return Ok(());
    }
    let entries = library.inbox()?;
    if json {
        let lines: Vec<InboxLine> = entries
            .iter()
            .map(|entry| InboxLine {
                episode_id: entry.episode.id.0,
                podcast_id: entry.episode.podcast_id.0,
                podcast_title: &entry.podcast_title,
                episode_title: &entry.episode.title,
                published: entry.episode.published.map(|d| d.to_rfc3339()),
                duration_secs: entry.episode.duration_secs,
            })
            .collect();
        say(out, serde_json::to_string_pretty(&lines).expect("plain data serialises"));
        return Ok(());
    }
    if entries.is_empty() {
        say(out, "The Inbox is empty: nothing new since you last looked.");
    }
    for entry in &entries {
        let episode = &entry.episode;
        let date = episode.published.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "-".into());
        let length = episode.duration_secs.map(|d| format_clock(d as f64)).unwrap_or_default();
        say(out, format!("{:>6}  {date}  {length:>8}  {} — {}", episode.id.0, entry.podcast_title, episode.title));
    }
    Ok(())
}
