//! `hark subscribe`, `refresh`, `podcasts`, `episodes`, `import`, `export`, `remove`.

use std::io::Write;
use std::path::Path;

use super::{complain, runtime, say};
use crate::error::HarkError;
use crate::http;
use crate::library::Library;
use crate::model::PodcastId;
use crate::net::{RefreshOutcome, refresh};

pub fn subscribe(library: &mut Library, url: &str, out: &mut impl Write) -> Result<(), HarkError> {
    let subscribed = runtime()?.block_on(refresh::subscribe(&http::client(), library, url))?;
    say(out, subscribed.summary());
    Ok(())
}

/// Fetches new episodes, a few feeds at a time; the shows that got some are added to `grown`.
pub fn refresh(
    library: &mut Library,
    podcast: Option<&str>,
    grown: &mut Vec<PodcastId>,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let targets = match podcast {
        Some(query) => {
            let id = library.find_podcast(query)?;
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
        let mut results: Vec<(usize, PodcastId, _)> = tasks.join_all().await;
        results.sort_by_key(|(index, _, _)| *index);
        results
    });
    let mut failures = Vec::new();
    let mut added = 0;
    for (_, id, result) in fetched {
        let refreshed = refresh::apply_refresh(library, id, result)?;
        match refreshed.result {
            Ok(report) => {
                if report.added > 0 {
                    grown.push(id);
                }
                added += report.added;
                say(out, format!("{}: {} new", refreshed.title, report.added));
            }
            Err(message) => failures.push(format!("{}: error: {message}", refreshed.title)),
        }
    }
    let outcome = RefreshOutcome::of(targets.len(), failures.len(), added);
    match outcome {
        RefreshOutcome::Refreshed { .. } => Ok(()),
        // One line, not one per show; the first failure says what the network answered.
        RefreshOutcome::Offline { .. } => Err(HarkError::Other(format!("{}, e.g. {}", outcome.summary(), failures[0]))),
        RefreshOutcome::SomeFailed { .. } => {
            failures.iter().for_each(complain);
            Err(HarkError::Other(outcome.summary()))
        }
    }
}

/// A show in `hark podcasts --json`: its list row, and what the feed says of support and people.
#[derive(serde::Serialize)]
struct PodcastJson {
    #[serde(flatten)]
    summary: crate::model::PodcastSummary,
    subtitle: Option<String>,
    funding: Vec<FundingJson>,
    persons: Vec<crate::model::Person>,
}

#[derive(serde::Serialize)]
struct FundingJson {
    url: String,
    title: String,
}

/// An episode in `hark episodes --json`: its list row, its credits and its web page.
#[derive(serde::Serialize)]
struct EpisodeJson {
    #[serde(flatten)]
    summary: crate::model::EpisodeSummary,
    subtitle: Option<String>,
    author: Option<String>,
    persons: Vec<crate::model::Person>,
    link: Option<String>,
}

pub fn podcasts(library: &Library, json: bool, out: &mut impl Write) -> Result<(), HarkError> {
    let podcasts = library.podcasts()?;
    if json {
        let mut shows = Vec::with_capacity(podcasts.len());
        for summary in podcasts {
            let show = library.podcast(summary.id)?;
            let funding = show.related.funding.into_iter().map(|l| FundingJson { url: l.url, title: l.text });
            let (funding, persons) = (funding.collect(), show.related.people);
            shows.push(PodcastJson { summary, subtitle: show.subtitle, funding, persons });
        }
        say(out, serde_json::to_string_pretty(&shows).expect("plain data serialises"));
    } else {
        for p in podcasts {
            say(out, format!("{:>5}  {}  ({} episodes, {} unplayed)", p.id, p.title, p.episodes, p.unplayed));
        }
    }
    Ok(())
}

/// A show's episodes in its own order (a serial show's part one first), or newest first.
pub fn episodes(
    library: &Library,
    podcast: Option<&str>,
    json: bool,
    newest_first: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let podcast = podcast.map(|q| library.find_podcast(q)).transpose()?;
    let episodes = if newest_first { library.episodes_newest_first(podcast)? } else { library.episodes(podcast)? };
    if json {
        let mut credits = library.episode_credits(podcast)?;
        let episodes: Vec<EpisodeJson> = episodes
            .into_iter()
            .map(|summary| {
                let (credits, link) = credits.remove(&summary.id).unwrap_or_default();
                let crate::model::EpisodeCredits { subtitle, author, persons } = credits;
                EpisodeJson { summary, subtitle, author, persons, link }
            })
            .collect();
        say(out, serde_json::to_string_pretty(&episodes).expect("plain data serialises"));
        return Ok(());
    }
    for e in episodes {
        let date = e.published.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "          ".into());
        let duration = e.duration_secs.map(|d| crate::model::format_clock(d as f64)).unwrap_or_default();
        let state = if e.played {
            "played"
        } else if e.downloaded {
            "downloaded"
        } else {
            ""
        };
        let kind = match e.episode_type {
            crate::model::EpisodeType::Full => "",
            other => other.as_str(),
        };
        say(out, format!("{:>6}  {date}  {:>8}  {}  {kind} {state}", e.id, duration, e.title).trim_end());
    }
    Ok(())
}

pub fn import(library: &mut Library, file: &Path, out: &mut impl Write) -> Result<(), HarkError> {
    let bytes = read_capped(file)?;
    let feeds = crate::opml::parse(&bytes).map_err(|e| HarkError::Other(format!("{}: {e}", file.display())))?;
    let wanted = library.not_followed(feeds.iter().map(|f| f.url.as_str()))?;
    let already = feeds.len() - wanted.len();
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
        match result.and_then(|f| refresh::apply_subscription(library, f)) {
            Ok(subscribed) => say(out, subscribed.summary()),
            Err(e) => {
                failures += 1;
                complain(format!("{url}: error: {e}"));
            }
        }
    }
    say(out, format!("Imported {} of {} feeds ({already} already subscribed)", wanted.len() - failures, feeds.len()));
    if failures > 0 {
        return Err(HarkError::Other(format!("{failures} feeds could not be subscribed")));
    }
    Ok(())
}

pub fn export(library: &Library, file: &Path, out: &mut impl Write) -> Result<(), HarkError> {
    let podcasts = library.podcasts()?;
    std::fs::write(file, crate::opml::write(&podcasts))
        .map_err(|e| HarkError::io(format!("could not write {}", file.display()), e))?;
    let count = podcasts.iter().filter(|p| p.feed_url != crate::assets::DEMO_FEED_URL).count();
    say(out, format!("Exported {count} podcasts to {}", file.display()));
    Ok(())
}

pub fn remove(
    library: &mut Library,
    paths: &crate::paths::AppPaths,
    podcast: &str,
    keep_downloads: bool,
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let id = library.find_podcast(podcast)?;
    let removed = crate::library::unsubscribe(library, &paths.downloads(), id, keep_downloads)?;
    match removed.deleted {
        0 => say(out, format!("Removed \"{}\"", removed.title)),
        n => say(out, format!("Removed \"{}\" and deleted {n} downloaded episodes", removed.title)),
    }
    Ok(())
}

/// Reads a file a listener pointed at, refusing absurd sizes.
pub(super) fn read_capped(path: &Path) -> Result<Vec<u8>, HarkError> {
    const LIMIT: u64 = 20 * 1024 * 1024;
    let size =
        std::fs::metadata(path).map_err(|e| HarkError::io(format!("could not read {}", path.display()), e))?.len();
    if size > LIMIT {
        return Err(HarkError::Other(format!("{} is larger than 20 MB", path.display())));
    }
    std::fs::read(path).map_err(|e| HarkError::io(format!("could not read {}", path.display()), e))
}
