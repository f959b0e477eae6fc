//! The command line: the same core as the window, for scripts and headless use.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::HarkError;
use crate::library::Library;
use crate::net::{http, refresh};
use crate::paths::AppPaths;

#[derive(Debug, Parser)]
#[command(name = "hark", version, about = "A fast, offline-first podcast player. With no command, opens the window.")]
pub struct Cli {
    /// Keep the library, downloads and cache in DIR (also: HARK_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
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
    },
    /// Play an episode in the terminal; Ctrl-C stops and keeps the position.
    Play {
        /// An episode id or a unique part of its title.
        episode: String,
        /// Start here (`12:34`, `1:02:03` or seconds) instead of where you stopped.
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// Playback speed, 0.5 to 3.0 (pitch is kept).
        #[arg(long, default_value_t = 1.0)]
        speed: f32,
    },
    /// Download episodes for offline listening; run it again to resume.
    Download {
        /// Episode ids or unique parts of their titles.
        #[arg(required = true)]
        episodes: Vec<String>,
    },
    /// List downloads: finished ones with their size, unfinished ones with how far they got.
    Downloads,
    /// Subscribe to every feed in an OPML file (from gPodder, AntennaPod, Pocket Casts, …).
    Import {
        /// The OPML file.
        file: PathBuf,
    },
    /// Write your subscriptions to an OPML file any podcast app can import.
    Export {
        /// Where to write it.
        file: PathBuf,
    },
    /// Unsubscribe from a podcast and forget its episodes.
    Remove {
        /// A podcast id or a unique part of its title.
        podcast: String,
    },
}

/// Runs one command; the caller prints the error and sets the exit code.
pub fn run(command: Command, paths: &AppPaths) -> Result<(), HarkError> {
    paths.create_all().map_err(|e| HarkError::io(format!("could not create {}", paths.data_dir.display()), e))?;
    let mut library = Library::open(&paths.database())?;
    let mut out = std::io::stdout().lock();
    let print = |out: &mut std::io::StdoutLock<'_>, line: String| {
        // A closed pipe (`hark episodes | head`) is not an error worth a message.
        let _ = writeln!(out, "{line}");
    };
    match command {
        Command::Subscribe { url } => {
            let subscribed = runtime()?.block_on(refresh::subscribe(&http::client(), &mut library, &url))?;
            let verb = if subscribed.already_subscribed { "Already subscribed to" } else { "Subscribed to" };
            print(&mut out, format!("{verb} \"{}\" ({} episodes)", subscribed.title, subscribed.episodes));
        }
        Command::Refresh { podcast } => {
            let targets = match podcast {
                Some(query) => {
                    let id = library.find_podcast(&query)?;
                    let url = library.podcast(id)?.feed_url;
                    vec![(id, url)]
                }
                None => library.refreshable_podcasts()?,
            };
            let client = http::client();
            let fetched = runtime()?.block_on(async {
                let mut tasks = tokio::task::JoinSet::new();
                let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(crate::net::PARALLEL_FEEDS));
                for (index, (id, url)) in targets.iter().cloned().enumerate() {
                    let validators = library.validators(id).unwrap_or_default();
                    let (client, slots) = (client.clone(), slots.clone());
                    tasks.spawn(async move {
                        let _permit = slots.acquire_owned().await;
                        (index, id, refresh::fetch_known(&client, &url, &validators).await)
                    });
                }
                let mut results: Vec<_> = tasks.join_all().await;
                results.sort_by_key(|(index, _, _)| *index);
                results
            });
            let mut failures = 0;
            for (_, id, result) in fetched {
                let refreshed = refresh::apply_refresh(&mut library, id, result)?;
                match refreshed.result {
                    Ok(report) => print(&mut out, format!("{}: {} new", refreshed.title, report.added)),
                    Err(message) => {
                        failures += 1;
                        print(&mut out, format!("{}: error: {message}", refreshed.title));
                    }
                }
            }
            if failures > 0 {
                return Err(HarkError::Other(format!(
                    "{failures} of {} podcasts could not be refreshed",
                    targets.len()
                )));
            }
        }
        Command::Podcasts { json } => {
            let podcasts = library.podcasts()?;
            if json {
                print(&mut out, serde_json::to_string_pretty(&podcasts).expect("plain data serialises"));
            } else {
                for p in podcasts {
                    print(
                        &mut out,
                        format!("{:>5}  {}  ({} episodes, {} unplayed)", p.id, p.title, p.episodes, p.unplayed),
                    );
                }
            }
        }
        Command::Episodes { podcast, json } => {
            let podcast = podcast.map(|q| library.find_podcast(&q)).transpose()?;
            let episodes = library.episodes(podcast)?;
            if json {
                print(&mut out, serde_json::to_string_pretty(&episodes).expect("plain data serialises"));
            } else {
                for e in episodes {
                    let date =
                        e.published.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "          ".into());
                    let duration = e.duration_secs.map(|d| crate::model::format_clock(d as f64)).unwrap_or_default();
                    let state = if e.played {
                        "played"
                    } else if e.downloaded {
                        "downloaded"
                    } else {
                        ""
                    };
                    print(&mut out, format!("{:>6}  {date}  {:>8}  {}  {state}", e.id, duration, e.title));
                }
            }
        }
        Command::Play { episode, from, speed } => {
            let id = library.find_episode(&episode)?;
            let from = from
                .map(|f| {
                    crate::feed::parse_duration(&f)
                        .ok_or_else(|| HarkError::Other(format!("\"{f}\" is not a time like 12:34")))
                })
                .transpose()?;
            crate::player::terminal::play(&mut library, id, from.map(f64::from), speed)?;
        }
        Command::Download { episodes } => {
            let ids = episodes.iter().map(|q| library.find_episode(q)).collect::<Result<Vec<_>, _>>()?;
            let failures = download_all(&mut library, paths, &ids, &mut out)?;
            if failures > 0 {
                return Err(HarkError::Other(format!("{failures} of {} downloads failed", ids.len())));
            }
        }
        Command::Downloads => {
            for episode in library.episodes(None)? {
                let dir = paths.downloads();
                if let Some(path) = &episode.path {
                    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                    print(
                        &mut out,
                        format!("{:>6}  done     {:>10}  {}  ({path})", episode.id, human_size(size), episode.title),
                    );
                } else if let Some(progress) = crate::media::PartialFile::peek(&dir, episode.id) {
                    let done = match progress.total {
                        Some(total) if total > 0 => format!("{}%", progress.bytes * 100 / total),
                        _ => human_size(progress.bytes),
                    };
                    print(&mut out, format!("{:>6}  partial  {done:>10}  {}", episode.id, episode.title));
                }
            }
        }
        Command::Import { file } => {
            let bytes = read_capped(&file)?;
            let feeds = crate::opml::parse(&bytes).map_err(|e| HarkError::Other(format!("{}: {e}", file.display())))?;
            let mut already = 0;
            let mut wanted = Vec::new();
            for feed in &feeds {
                if library.find_feed_url(&feed.url)?.is_some() {
                    already += 1;
                } else {
                    wanted.push(feed.url.clone());
                }
            }
            let client = http::client();
            let fetched = runtime()?.block_on(async {
                let mut tasks = tokio::task::JoinSet::new();
                let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(crate::net::PARALLEL_FEEDS));
                for (index, url) in wanted.iter().cloned().enumerate() {
                    let (client, slots) = (client.clone(), slots.clone());
                    tasks.spawn(async move {
                        let _permit = slots.acquire_owned().await;
                        (index, url.clone(), refresh::fetch_new(&client, &url).await)
                    });
                }
                let mut results = tasks.join_all().await;
                results.sort_by_key(|(index, _, _)| *index);
                results
            });
            let mut failures = 0;
            for (_, url, result) in fetched {
                match result.and_then(|f| refresh::apply_subscription(&mut library, f)) {
                    Ok(s) => print(&mut out, format!("Subscribed to \"{}\" ({} episodes)", s.title, s.episodes)),
                    Err(e) => {
                        failures += 1;
                        print(&mut out, format!("{url}: error: {e}"));
                    }
                }
            }
            print(
                &mut out,
                format!("Imported {} of {} feeds ({already} already subscribed)", wanted.len() - failures, feeds.len()),
            );
            if failures > 0 {
                return Err(HarkError::Other(format!("{failures} feeds could not be subscribed")));
            }
        }
        Command::Export { file } => {
            let podcasts = library.podcasts()?;
            std::fs::write(&file, crate::opml::write(&podcasts))
                .map_err(|e| HarkError::io(format!("could not write {}", file.display()), e))?;
            let count = podcasts.iter().filter(|p| p.feed_url != crate::assets::DEMO_FEED_URL).count();
            print(&mut out, format!("Exported {count} podcasts to {}", file.display()));
        }
        Command::Remove { podcast } => {
            let id = library.find_podcast(&podcast)?;
            let title = library.remove_podcast(id)?;
            print(&mut out, format!("Removed \"{title}\""));
        }
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, HarkError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| HarkError::io("could not start the async runtime", e))
}

fn human_size(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
}

/// Downloads episodes side by side, a progress bar each; returns how many failed.
fn download_all(
    library: &mut Library,
    paths: &AppPaths,
    ids: &[crate::model::EpisodeId],
    out: &mut std::io::StdoutLock<'_>,
) -> Result<usize, HarkError> {
    use crate::net::download::{DownloadJob, download};
    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("{msg:30!} {bar:30} {bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}")
        .expect("static template");
    let mut jobs = Vec::new();
    for id in ids {
        let episode = library.episode(*id)?;
        if episode.summary.downloaded {
            let _ = writeln!(out, "\"{}\" is already downloaded", episode.summary.title);
            continue;
        }
        let job = DownloadJob {
            episode: *id,
            url: episode.summary.url.clone(),
            mime: episode.summary.mime.clone(),
            downloads_dir: paths.downloads(),
        };
        let part = crate::media::PartialFile::open(&job.downloads_dir, *id, &job.url)
            .map_err(|e| HarkError::io("could not create the download file", e))?;
        let bar = bars.add(ProgressBar::new(part.total().unwrap_or(0)).with_style(style.clone()));
        bar.set_message(episode.summary.title.clone());
        bar.set_position(part.progress().bytes);
        jobs.push((job, part, bar, episode.summary.title));
    }
    let client = http::client();
    let results = runtime()?.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, (job, part, bar, _)) in jobs.iter().enumerate() {
            let (client, job, part, bar) = (client.clone(), job.clone(), part.clone(), bar.clone());
            tasks.spawn(async move {
                let observer = move |progress: crate::media::Progress, _rate: f64| {
                    if let Some(total) = progress.total {
                        bar.set_length(total);
                    }
                    bar.set_position(progress.bytes);
                };
                (index, download(&client, &job, &part, &observer).await)
            });
        }
        let mut results = tasks.join_all().await;
        results.sort_by_key(|(index, _)| *index);
        results
    });
    let mut failures = 0;
    for ((job, _, bar, title), (_, result)) in jobs.iter().zip(results) {
        bar.finish_and_clear();
        match result {
            Ok(path) => {
                library.set_downloaded(job.episode, Some(&path))?;
                let _ = writeln!(out, "Downloaded \"{title}\" ({})", path.display());
            }
            Err(e) => {
                failures += 1;
                let _ = writeln!(out, "\"{title}\": error: {e}");
            }
        }
    }
    Ok(failures)
}

/// Reads a file a listener pointed at, refusing absurd sizes.
fn read_capped(path: &std::path::Path) -> Result<Vec<u8>, HarkError> {
    const LIMIT: u64 = 20 * 1024 * 1024;
    let size =
        std::fs::metadata(path).map_err(|e| HarkError::io(format!("could not read {}", path.display()), e))?.len();
    if size > LIMIT {
        return Err(HarkError::Other(format!("{} is larger than 20 MB", path.display())));
    }
    std::fs::read(path).map_err(|e| HarkError::io(format!("could not read {}", path.display()), e))
}
