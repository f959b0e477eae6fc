//! `hark discover` (podcast directories) and `hark search` (the library).

use std::io::Write;

use super::{runtime, say};
use crate::error::HarkError;
use crate::http;
use crate::library::{EpisodeHit, Library, MATCH_END, MATCH_START};
use crate::net::directory::{self, Directories};
use crate::paths::AppPaths;

pub fn discover(library: &Library, term: &str, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let shows = runtime()?
        .block_on(directory::search(&http::client(), &Directories::of(library), term))
        .map_err(HarkError::Other)?;
    if json {
        say(out, serde_json::to_string_pretty(&shows).expect("plain data serialises"));
        return Ok(());
    }
    if shows.is_empty() {
        say(out, format!("No podcast called \"{term}\" was found"));
    }
    for show in shows {
        let mut facts = Vec::new();
        if let Some(author) = show.author.filter(|a| !a.is_empty()) {
            facts.push(author);
        }
        if let Some(count) = show.episodes {
            facts.push(format!("{count} episodes"));
        }
        if let Some(genre) = show.genre {
            facts.push(genre);
        }
        say(out, format!("{}  ({})\n    {}", show.title, facts.join(", "), show.feed_url));
    }
    Ok(())
}

/// The snippet with the matched words in `**`.
fn marked(snippet: &str) -> String {
    snippet.replace([MATCH_START, MATCH_END], "**")
}

pub fn search(
    library: &Library,
    paths: &AppPaths,
    query: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let results = library.search_with_transcripts(query, &paths.transcript_cache())?;
    if json {
        let episodes: Vec<EpisodeHit> =
            results.episodes.into_iter().map(|hit| EpisodeHit { snippet: marked(&hit.snippet), ..hit }).collect();
        say(out, serde_json::to_string_pretty(&episodes).expect("plain data serialises"));
        return Ok(());
    }
    if results.shows.is_empty() && results.episodes.is_empty() {
        say(out, format!("Nothing in your library matches \"{query}\""));
    }
    for show in &results.shows {
        say(out, format!("show {:>5}  {}", show.podcast_id, marked(&show.snippet).replace('\n', " ")));
    }
    for hit in &results.episodes {
        say(out, format!("{:>10}  {} — {}", hit.episode_id, hit.title, hit.podcast_title));
        let at = hit.at_secs.map(|at| format!("at {} ", crate::model::format_clock(at))).unwrap_or_default();
        if !matches!(hit.field, crate::library::Field::Title) {
            say(out, format!("            {at}{}", marked(&hit.snippet).replace('\n', " ")));
        }
    }
    Ok(())
}

/// After `hark refresh`, as after the window's: the newest episodes' transcripts (the
/// `transcripts-per-show` preference), so `hark search` finds what is said in them.
pub fn fetch_transcripts(library: &mut Library, paths: &AppPaths, out: &mut impl Write) -> Result<(), HarkError> {
    use crate::net::transcripts::{fetch_all, held_line, store, wanted};
    let wanted = wanted(library);
    if wanted.is_empty() {
        return Ok(());
    }
    if crate::net::metered::is_metered() {
        say(out, held_line(wanted.len()));
        return Ok(());
    }
    let mut indexed = 0;
    runtime()?.block_on(fetch_all(&http::client(), &paths.transcript_cache(), wanted, |fetched| {
        indexed += usize::from(store(library, fetched));
    }));
    if indexed > 0 {
        say(out, format!("{indexed} transcripts fetched for search"));
    }
    Ok(())
}
