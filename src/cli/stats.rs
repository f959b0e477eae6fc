//! `hark stats`: time listened and time saved, in all and per show.

use std::io::Write;

use super::say;
use crate::error::HarkError;
use crate::library::{Library, ListeningTime};
use crate::model::{clean_line, format_duration};

/// Prints the totals and each show's share, as lines or (`--json`) one object.
pub fn stats(library: &Library, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let stats = library.listening_stats()?;
    if json {
        say(out, serde_json::to_string_pretty(&stats).expect("plain data serialises"));
        return Ok(());
    }
    let line = |time: &ListeningTime| {
        format!(
            "listened {}, saved {} (speed {}, silences {})",
            format_duration(time.listened_secs),
            format_duration(time.saved_secs()),
            format_duration(time.saved_by_speed_secs),
            format_duration(time.saved_by_silence_secs)
        )
    };
    say(out, format!("In all: {}", line(&stats.total)));
    for show in &stats.shows {
        say(out, format!("  {}: {}", clean_line(&show.title), line(&show.time)));
    }
    Ok(())
}
