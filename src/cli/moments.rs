//! `hark bookmark`, `hark bookmarks`, `hark export/import --bookmarks` and `hark clip`.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::{say, typed_time};
use crate::error::HarkError;
use crate::library::{Bookmark, BookmarkRecord, Library};
use crate::model::format_clock;
use crate::paths::AppPaths;

#[derive(Serialize)]
struct BookmarkLine<'a> {
    episode_id: Option<i64>,
    podcast_title: &'a str,
    episode_title: &'a str,
    at_secs: f64,
    note: &'a str,
    link: Option<&'a str>,
    created: Option<String>,
}

/// Marks `at` (the CLI's time grammar; default: the saved position) of an episode.
pub fn bookmark(
    library: &mut Library,
    episode: &str,
    at: Option<&str>,
    note: Option<&str>,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let id = library.find_episode(episode)?;
    let at = match at {
        Some(text) => typed_time(text)?,
        None => library.episode(id)?.summary.position_secs,
    };
    let made = library.add_bookmark(id, at, note.unwrap_or_default())?;
    let made = library.bookmark(made)?;
    say(out, format!("Bookmarked \"{}\" at {}", made.episode_title, format_clock(made.at_secs)));
    Ok(())
}

/// Every bookmark, newest first, each with the transcript line at its moment when the
/// transcript is cached.
pub fn bookmarks(library: &Library, paths: &AppPaths, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let marks = library.bookmarks()?;
    if json {
        let lines: Vec<BookmarkLine> = marks.iter().map(line).collect();
        say(out, serde_json::to_string_pretty(&lines).expect("plain data serialises"));
        return Ok(());
    }
    if marks.is_empty() {
        say(out, "No bookmarks yet: `hark bookmark EP [AT]`, or B in the window.");
    }
    let spoken = crate::net::extras::spoken_at_bookmarks(library, &paths.transcript_cache(), &marks);
    for (mark, spoken) in marks.iter().zip(spoken) {
        let id = mark.episode_id.map_or("-".to_string(), |id| id.0.to_string());
        say(
            out,
            format!("{id:>6}  {:>8}  {} — {}", format_clock(mark.at_secs), mark.podcast_title, mark.episode_title),
        );
        if !mark.note.is_empty() {
            say(out, format!("        {}", mark.note));
        }
        if let Some(spoken) = spoken {
            say(out, format!("        “{spoken}”"));
        }
    }
    Ok(())
}

fn line(mark: &Bookmark) -> BookmarkLine<'_> {
    BookmarkLine {
        episode_id: mark.episode_id.map(|id| id.0),
        podcast_title: &mark.podcast_title,
        episode_title: &mark.episode_title,
        at_secs: mark.at_secs,
        note: &mark.note,
        link: mark.link.as_deref(),
        created: chrono::DateTime::from_timestamp(mark.created, 0).map(|d| d.to_rfc3339()),
    }
}

pub fn export_bookmarks(library: &Library, file: &Path, out: &mut impl Write) -> Result<(), HarkError> {
    let records = library.export_bookmarks()?;
    let json = serde_json::to_string_pretty(&records).expect("plain data serialises");
    std::fs::write(file, json).map_err(|e| HarkError::io(format!("could not write {}", file.display()), e))?;
    say(out, format!("Exported {} bookmarks to {}", records.len(), file.display()));
    Ok(())
}

pub fn import_bookmarks(library: &mut Library, file: &Path, out: &mut impl Write) -> Result<(), HarkError> {
    let bytes = super::feeds::read_capped(file)?;
    let records: Vec<BookmarkRecord> = serde_json::from_slice(&bytes).map_err(|e| {
        HarkError::Other(format!("{} is not a bookmarks file from `hark export --bookmarks`: {e}", file.display()))
    })?;
    let added = library.import_bookmarks(&records)?;
    let attached = library.bookmarks()?.iter().filter(|b| b.episode_id.is_some()).count();
    say(
        out,
        format!(
            "Imported {added} bookmarks ({} already here); {attached} are on episodes you follow",
            records.len() - added
        ),
    );
    Ok(())
}

/// `hark clip EP START END -o FILE`: the span as Opus, with the show's art and a tag naming
/// show, episode and the `#t=start,end` link. An episode not downloaded yet is downloaded first.
pub fn clip(
    library: &mut Library,
    paths: &AppPaths,
    episode: &str,
    (start, end): (&str, &str),
    output: &Path,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let id = library.find_episode(episode)?;
    let (start, end) = (typed_time(start)?, typed_time(end)?);
    let art = paths.art_cache();
    let job = match crate::net::extras::ClipJob::of(library, &art, id, start, end)? {
        Some(job) => job,
        None => {
            super::downloads::download(library, paths, &[id.0.to_string()], out)?;
            crate::net::extras::ClipJob::of(library, &art, id, start, end)?
                .ok_or_else(|| HarkError::Other("the episode did not download, so there is nothing to clip".into()))?
        }
    };
    let written = job.write(output).map_err(|e| HarkError::Other(e.to_string()))?;
    say(
        out,
        format!("Saved {} of \"{}\" to {}", format_clock(written.duration_secs), job.tags.title, output.display()),
    );
    if let Some(link) = &job.link {
        say(out, link);
    }
    Ok(())
}
