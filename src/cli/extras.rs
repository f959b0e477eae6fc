//! `hark chapters` and `hark transcript`: what the feed, the chapters file and the audio file
//! say, fetched or read when missing.

use std::io::Write;

use super::{complain, runtime, say};
use crate::chapters::Chapter;
use crate::error::HarkError;
use crate::http;
use crate::library::Library;
use crate::model::{EpisodeId, format_clock};
use crate::net::extras::{fetch_chapters, load_transcript, store_fetched_chapters};
use crate::paths::AppPaths;

pub fn chapters(
    library: &mut Library,
    query: &str,
    json: bool,
    all: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let episode = library.find_episode(query)?;
    bring_up_to_date(library, episode)?;
    let duration = library.episode(episode)?.summary.duration_secs.map(f64::from);
    let chapters: Vec<Chapter> = if all {
        library.chapter_sources(episode)?.into_iter().flatten().collect()
    } else {
        library.chapters(episode, duration)?
    };
    if json {
        let list: Vec<serde_json::Value> = chapters
            .iter()
            .map(|c| {
                serde_json::json!({
                    "start_secs": c.start_secs,
                    "end_secs": c.end_secs,
                    "title": c.title,
                    "url": c.url,
                    "image": c.image,
                    "source": c.source.as_str(),
                })
            })
            .collect();
        say(out, serde_json::to_string_pretty(&list).expect("plain data serialises"));
        return Ok(());
    }
    if chapters.is_empty() {
        say(out, "This episode has no chapters");
    }
    for chapter in &chapters {
        let length = chapter.end_secs.map(|end| format!("  ({})", format_clock(end - chapter.start_secs)));
        let source = if all { format!("  [{}]", chapter.source.as_str()) } else { String::new() };
        let title = if chapter.title.is_empty() { "(untitled)" } else { &chapter.title };
        say(out, format!("{:>8}  {title}{}{source}", format_clock(chapter.start_secs), length.unwrap_or_default()));
    }
    Ok(())
}

/// Fetches the chapters file (conditionally) and reads a downloaded file's own chapters once.
fn bring_up_to_date(library: &mut Library, episode: EpisodeId) -> Result<(), HarkError> {
    if let Some(file) = library.chapters_file(episode)? {
        let fetched = runtime()?.block_on(fetch_chapters(&http::client(), &file.url, file.fetched.as_ref()));
        match fetched {
            Ok(fetched) => {
                store_fetched_chapters(library, episode, &file.url, fetched)?;
            }
            // What is held still prints; the reason goes to stderr.
            Err(reason) => complain(reason),
        }
    }
    let path = library.downloaded_file(episode)?;
    if let Some(path) = path
        && !library.file_chapters_read(episode)?
    {
        match crate::media::chapters::read_file_chapters(&path) {
            Ok(file) => library.set_file_chapters(episode, &file)?,
            Err(reason) => complain(reason),
        }
    }
    Ok(())
}

pub fn transcript(
    library: &mut Library,
    paths: &AppPaths,
    query: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let id = library.find_episode(query)?;
    let link = library.chosen_transcript(id)?.ok_or_else(|| {
        let title = library.episode(id).map(|e| e.summary.title).unwrap_or_default();
        HarkError::Other(format!("\"{title}\" has no transcript Hark can read"))
    })?;
    let transcript = runtime()?
        .block_on(load_transcript(&http::client(), &paths.transcript_cache(), &link))
        .map_err(HarkError::Other)?;
    // Read once, searchable from now on (`hark search`).
    library.index_transcript(id, &link.url, &transcript)?;
    if json {
        say(out, serde_json::to_string_pretty(&transcript.cues).expect("plain data serialises"));
        return Ok(());
    }
    for cue in &transcript.cues {
        let speaker = cue.speaker.as_deref().map(|s| format!("{s}: ")).unwrap_or_default();
        if transcript.timed {
            say(out, format!("[{}] {speaker}{}", format_clock(cue.start_secs), cue.text));
        } else {
            say(out, format!("{speaker}{}", cue.text));
        }
    }
    Ok(())
}
