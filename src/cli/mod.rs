//! The command line: the same core as the window, for scripts and headless use.

mod config;
mod downloads;
mod extras;
mod feeds;
mod find;
mod inbox;
mod moments;
mod play;
mod stats;
mod sync;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{HarkError, one_line};
use crate::library::Library;
use crate::model::time::{TimeSource, parse_time};
use crate::paths::AppPaths;

/// The version and the commit it was built from.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HARK_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "hark",
    version = VERSION,
    about = "A fast, offline-first podcast player. With no command, opens the window.",
    override_usage = "hark [OPTIONS] [URL|FILE]\n       hark [OPTIONS] <COMMAND>"
)]
pub struct Cli {
    /// Keep the library, downloads and cache in DIR (also: HARK_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Open the window offering this: a feed address, a podcast:// or pcast:// link, or an
    /// OPML file. When Hark is already open, its window gets it.
    #[arg(value_name = "URL|FILE")]
    pub open: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Subscribe to a podcast by its feed address.
    Subscribe {
        /// The feed's http(s) address.
        url: String,
    },
    /// Fetch new episodes of one podcast, or of all.
    Refresh {
        /// A podcast id or a unique part of its title.
        podcast: Option<String>,
    },
    /// List the podcasts you follow.
    Podcasts {
        /// Print one JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the episodes of one podcast, or of all, newest first.
    Episodes {
        /// A podcast id or a unique part of its title.
        podcast: Option<String>,
        /// Print one JSON array instead of a table.
        #[arg(long)]
        json: bool,
        /// Newest first even for a serial show (which lists part one first).
        #[arg(long)]
        newest_first: bool,
    },
    /// Play episodes in the terminal, one after another through Up Next. One that is not
    /// downloaded streams at once, and what is heard becomes its download. Ctrl-C stops and
    /// keeps the position; at the end of an episode it is marked played and the next one starts.
    Play {
        /// Episode ids or unique parts of their titles, in the order to play them.
        #[arg(required = true)]
        episodes: Vec<String>,
        /// Start the first one here (`45:00`, `1:02:03` or seconds) instead of where you stopped.
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Playback speed for this run, 0.5 to 3.0 (pitch is kept); otherwise the saved speed.
        #[arg(long)]
        speed: Option<f32>,
        /// Stop by itself (fading out): after so much listening (`10m`, `90s`, `1h`, `25:00`),
        /// at the `end` of the episode, or at the end of this `chapter`. The position is kept.
        #[arg(long, value_name = "WHEN")]
        sleep: Option<String>,
        /// Shorten pauses in speech for this run, over the show's setting.
        #[arg(long, value_name = "LEVEL", value_parser = ["off", "mild", "medium", "strong"])]
        skip_silence: Option<String>,
        /// Voice boost for this run (high-pass, compression, make-up gain).
        #[arg(long)]
        boost: bool,
        /// Loudness normalisation to -16 LUFS for this run (on by default).
        #[arg(long, value_name = "ON|OFF", value_parser = ["on", "off"])]
        loudness: Option<String>,
    },
    /// Time spent listening, and time saved by speed and by shortened silences, in all and
    /// per show.
    Stats {
        /// Print one JSON object: listened_secs, saved_by_speed_secs, saved_by_silence_secs, shows.
        #[arg(long)]
        json: bool,
    },
    /// Find podcasts by name in the podcast directories (Apple's; the Podcast Index with
    /// HARK_PODCASTINDEX_KEY and HARK_PODCASTINDEX_SECRET).
    Discover {
        /// Words of the show's name.
        term: String,
        /// Print one JSON array instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// Search everything you follow: show titles and authors, episode titles and show notes.
    Search {
        /// Words to find (each must appear; the last may be the start of a word).
        query: String,
        /// Print one JSON array of the matching episodes instead of a list.
        #[arg(long)]
        json: bool,
    },
    /// An episode's chapters: the chapters file, the audio file's own, the feed's psc:
    /// chapters or timestamps in the notes, merged (the chapters file wins).
    Chapters {
        /// An episode id or a unique part of its title.
        episode: String,
        /// Print one JSON array: start_secs, end_secs, title, url, image, source.
        #[arg(long)]
        json: bool,
        /// Every source's chapters, not only the merged list.
        #[arg(long)]
        all: bool,
    },
    /// An episode's transcript, one cue a line with its time (fetched once, then cached).
    Transcript {
        /// An episode id or a unique part of its title.
        episode: String,
        /// Print one JSON array: start_secs, end_secs, speaker, text.
        #[arg(long)]
        json: bool,
    },
    /// Download episodes for offline listening; run it again to resume.
    Download {
        /// Episode ids or unique parts of their titles.
        #[arg(required = true)]
        episodes: Vec<String>,
    },
    /// List downloads: finished ones with their size, unfinished ones with how far they got.
    Downloads,
    /// Subscribe to every feed in an OPML file (from gPodder, AntennaPod, Pocket Casts, …);
    /// with --bookmarks, take in bookmarks from `hark export --bookmarks`.
    Import {
        /// The OPML file.
        #[arg(required_unless_present = "bookmarks")]
        file: Option<PathBuf>,
        /// A bookmarks file (JSON) written by `hark export --bookmarks`.
        #[arg(long, value_name = "FILE.json")]
        bookmarks: Option<PathBuf>,
    },
    /// Write your subscriptions to an OPML file any podcast app can import; with --bookmarks,
    /// your bookmarks to a JSON file another Hark imports.
    Export {
        /// Where to write the OPML file.
        #[arg(required_unless_present = "bookmarks")]
        file: Option<PathBuf>,
        /// Where to write the bookmarks (JSON).
        #[arg(long, value_name = "FILE.json")]
        bookmarks: Option<PathBuf>,
    },
    /// Bookmark a moment of an episode, with an optional note.
    Bookmark {
        /// An episode id or a unique part of its title.
        episode: String,
        /// Where (`12:34`, `1:02:03` or seconds); by default where you stopped.
        at: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Save a span of an episode (at most 5 minutes) as an Opus file, tagged with the show,
    /// the episode, its `#t=start,end` link and the show's art.
    Clip {
        /// An episode id or a unique part of its title.
        episode: String,
        /// Where the clip starts (`12:30`, `1:02:03` or seconds).
        start: String,
        /// Where it ends.
        end: String,
        /// The file to write (Opus in Ogg).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Your bookmarks across shows, newest first (with the transcript's line when it is cached).
    Bookmarks {
        /// Print one JSON array: episode_id, podcast_title, episode_title, at_secs, note, link,
        /// created.
        #[arg(long)]
        json: bool,
    },
    /// Put Hark in the application launcher (entry, icons and metainfo under ~/.local/share),
    /// pointing at this binary. For builds from source; the .deb does this system-wide.
    InstallDesktop {
        /// Take them away again.
        #[arg(long)]
        remove: bool,
    },
    /// New episodes since you last looked, across shows, newest first (the window's Inbox).
    Inbox {
        /// Take an episode (an id or a unique part of its title), or `all`, out of the Inbox.
        #[arg(long, value_name = "EP|all")]
        dismiss: Option<String>,
        /// Print one JSON array: episode_id, podcast_id, podcast_title, episode_title,
        /// published, duration_secs.
        #[arg(long)]
        json: bool,
    },
    /// Preferences, git-style: with no KEY lists them all, with a KEY prints its value, with
    /// a KEY and a VALUE sets it. Keys: skip-back, skip-forward (seconds), refresh-interval
    /// (off, 1m … 24h), notifications (on/off), auto-download, keep-downloads,
    /// delete-when-played, parallel-downloads, theme, speed, skip-silence, loudness, voice-boost.
    Config {
        key: Option<String>,
        value: Option<String>,
        /// Print JSON: all of them as one object keyed by name, or the one value.
        #[arg(long)]
        json: bool,
    },
    /// Sync subscriptions, positions and played state with your other devices through a
    /// gpodder-API server (podsync, gpodder.net) or Nextcloud; `login` first.
    Sync {
        #[command(subcommand)]
        action: Option<sync::SyncCommand>,
    },
    /// Unsubscribe from a podcast and forget its episodes; its downloads are deleted too.
    Remove {
        /// A podcast id or a unique part of its title.
        podcast: String,
        /// Leave the downloaded episode files on disk.
        #[arg(long)]
        keep_downloads: bool,
    },
}

/// Runs one command; the caller prints the error and sets the exit code.
pub fn run(command: Command, paths: &AppPaths) -> Result<(), HarkError> {
    // The launcher files are all it writes: no library, no caches.
    if let Command::InstallDesktop { remove } = command {
        return install_desktop(remove, &mut std::io::stdout().lock());
    }
    paths.create_all().map_err(|e| HarkError::io(format!("could not create {}", paths.data_dir.display()), e))?;
    let mut library = Library::open(&paths.database())?;
    let paths = &paths.clone().with_downloads(library.download_folder()?);
    let mut out = std::io::stdout().lock();
    match command {
        Command::Subscribe { url } => feeds::subscribe(&mut library, &url, &mut out),
        Command::Refresh { podcast } => {
            let mut grown = Vec::new();
            let refreshed = feeds::refresh(&mut library, podcast.as_deref(), &mut grown, &mut out);
            // "Download the newest N" applies after every refresh, the window's or this one.
            let downloaded = downloads::download_new(&mut library, paths, &grown, &mut out);
            // Only after a refresh that reached every feed (offline, or a network in trouble: not).
            let transcripts =
                if refreshed.is_ok() { find::fetch_transcripts(&mut library, paths, &mut out) } else { Ok(()) };
            refreshed.and(downloaded).and(transcripts)
        }
        Command::Podcasts { json } => feeds::podcasts(&library, json, &mut out),
        Command::Episodes { podcast, json, newest_first } => {
            feeds::episodes(&library, podcast.as_deref(), json, newest_first, &mut out)
        }
        Command::Play { episodes, from, speed, sleep, skip_silence, boost, loudness } => {
            let ids = episodes.iter().map(|q| library.find_episode(q)).collect::<Result<Vec<_>, _>>()?;
            let from = from.as_deref().map(typed_time).transpose()?;
            let sleep = sleep.as_deref().map(parse_sleep).transpose()?;
            let sound = crate::listening::RunSound {
                skip_silence: skip_silence.as_deref().and_then(crate::player::SilenceLevel::parse),
                voice_boost: boost.then_some(true),
                loudness: loudness.map(|on| on == "on"),
            };
            drop(library);
            play::play(paths, &ids, play::Options { from, speed, sleep, sound })
        }
        Command::Stats { json } => stats::stats(&library, json, &mut out),
        Command::Chapters { episode, json, all } => extras::chapters(&mut library, &episode, json, all, &mut out),
        Command::Transcript { episode, json } => extras::transcript(&mut library, paths, &episode, json, &mut out),
        Command::Download { episodes } => downloads::download(&mut library, paths, &episodes, &mut out),
        Command::Downloads => downloads::list(&mut library, paths, &mut out),
        Command::Discover { term, json } => find::discover(&library, &term, json, &mut out),
        Command::Search { query, json } => find::search(&library, paths, &query, json, &mut out),
        Command::Import { file, bookmarks } => {
            let feeds = file.map_or(Ok(()), |file| feeds::import(&mut library, &file, &mut out));
            feeds.and(bookmarks.map_or(Ok(()), |file| moments::import_bookmarks(&mut library, &file, &mut out)))
        }
        Command::Export { file, bookmarks } => {
            file.map_or(Ok(()), |file| feeds::export(&library, &file, &mut out))?;
            bookmarks.map_or(Ok(()), |file| moments::export_bookmarks(&library, &file, &mut out))
        }
        Command::Bookmark { episode, at, note } => {
            moments::bookmark(&mut library, &episode, at.as_deref(), note.as_deref(), &mut out)
        }
        Command::Clip { episode, start, end, output } => {
            moments::clip(&mut library, paths, &episode, (&start, &end), &output, &mut out)
        }
        Command::Bookmarks { json } => moments::bookmarks(&library, paths, json, &mut out),
        Command::Remove { podcast, keep_downloads } => {
            feeds::remove(&mut library, paths, &podcast, keep_downloads, &mut out)
        }
        Command::Inbox { dismiss, json } => inbox::inbox(&mut library, dismiss.as_deref(), json, &mut out),
        Command::Config { key, value, json } => {
            config::config(&mut library, paths, key.as_deref(), value.as_deref(), json, &mut out)
        }
        Command::Sync { action } => sync::run(action, &mut library, paths, &mut out),
        Command::InstallDesktop { .. } => unreachable!("answered before the library is opened"),
    }
}

fn install_desktop(remove: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let data_home = directories::BaseDirs::new()
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| HarkError::Other("no home folder to install the launcher entry into".into()))?;
    if remove {
        let done = crate::desktop::install::remove(&data_home)?;
        say(out, format!("Removed {} files of Hark's launcher entry from {}", done.removed.len(), data_home.display()));
        for kept in &done.kept {
            say(out, format!("Kept {}: Hark did not write it", kept.display()));
        }
        return Ok(());
    }
    let exec = std::env::current_exe().map_err(|e| HarkError::io("could not tell where this hark is", e))?;
    let written = crate::desktop::install::install(&data_home, &exec)?;
    for path in &written {
        say(out, path.display());
    }
    say(out, format!("Hark is in the application launcher; it runs {}", exec.display()));
    Ok(())
}

/// One line of output. A closed pipe (`hark episodes | head`) is not an error worth a message.
/// Control characters from feeds (in libraries written before they were cleaned on the way in)
/// never reach the terminal.
fn say(out: &mut impl Write, line: impl std::fmt::Display) {
    let _ = writeln!(out, "{}", crate::model::clean_text(&line.to_string()));
}

/// A per-item failure inside a command that goes on (refresh, import): on stderr, one line.
fn complain(line: impl std::fmt::Display) {
    eprintln!("{}", one_line(&line.to_string()));
}

/// `12:34`, `1:02:03` or seconds.
fn typed_time(text: &str) -> Result<f64, HarkError> {
    parse_time(text, TimeSource::Command)
        .ok_or_else(|| HarkError::Other(format!("\"{text}\" is not a time like 12:34")))
}

/// `--sleep`: `end`, `chapter`, or a length: `10m`, `90s`, `1h`, `25:00`, `300`.
fn parse_sleep(text: &str) -> Result<crate::listening::SleepMode, HarkError> {
    use crate::listening::SleepMode;
    let refuse = || HarkError::Other(format!("--sleep {text}: say how long (10m, 90s, 1h, 25:00), end or chapter"));
    let text = text.trim();
    match text {
        "end" => return Ok(SleepMode::EndOfEpisode),
        "chapter" => return Ok(SleepMode::EndOfChapter),
        _ => {}
    }
    let (number, unit) = match text.char_indices().last() {
        Some((at, 's')) => (&text[..at], 1.0),
        Some((at, 'm')) => (&text[..at], 60.0),
        Some((at, 'h')) => (&text[..at], 3600.0),
        _ => return typed_time(text).ok().filter(|s| *s > 0.0).map(secs_mode).ok_or_else(refuse),
    };
    let secs = number.trim().parse::<f64>().ok().filter(|n| n.is_finite() && *n > 0.0).ok_or_else(refuse)? * unit;
    Ok(secs_mode(secs))
}

fn secs_mode(secs: f64) -> crate::listening::SleepMode {
    crate::listening::SleepMode::After(std::time::Duration::from_secs_f64(secs.min(86_400.0)))
}

fn runtime() -> Result<tokio::runtime::Runtime, HarkError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| HarkError::io("could not start the async runtime", e))
}
