//! `hark discover` (podcast directories) and `hark search` (the library).

use std::io::Write;

use super::{runtime, say};
use crate::error::HarkError;
use crate::http;
use crate::library::{EpisodeHit, Library, MATCH_END, MATCH_START};
use crate::net::directory::{self, Directories};

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

pub fn search(library: &Library, query: &str, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let results = library.search(query)?;
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
        if matches!(hit.field, crate::library::Field::Notes) {
            say(out, format!("            {}", marked(&hit.snippet).replace('\n', " ")));
        }
    }
    Ok(())
}
