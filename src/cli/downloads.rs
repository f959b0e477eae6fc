//! `hark download` and `hark downloads`.

use std::io::Write;

use super::{complain, runtime, say};
use crate::error::HarkError;
use crate::http;
use crate::library::Library;
use crate::model::size_text;
use crate::model::{EpisodeId, PodcastId};
use crate::paths::AppPaths;

/// Downloads episodes side by side, a progress bar each.
pub fn download(
    library: &mut Library,
    paths: &AppPaths,
    queries: &[String],
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let mut ids: Vec<EpisodeId> = Vec::new();
    for query in queries {
        let id = library.find_episode(query)?;
        // The same episode named twice is one download, not two writing one file.
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let failures = download_all(library, paths, &ids, out)?;
    if failures > 0 {
        return Err(HarkError::Other(format!("{failures} of {} downloads failed", ids.len())));
    }
    Ok(())
}

/// "Download the newest N episodes" of the shows a refresh found new episodes in, when the
/// listener asked for it.
pub fn download_new(
    library: &mut Library,
    paths: &AppPaths,
    grown: &[PodcastId],
    out: &mut impl Write,
) -> Result<(), HarkError> {
    let mut wanted = Vec::new();
    for podcast in grown {
        wanted.extend(library.auto_download_candidates(*podcast)?);
    }
    if wanted.is_empty() {
        return Ok(());
    }
    if crate::net::metered::is_metered() {
        say(out, crate::net::metered::held_line(wanted.len()));
        return Ok(());
    }
    let failures = download_all(library, paths, &wanted, out)?;
    if failures > 0 {
        return Err(HarkError::Other(format!("{failures} of {} new episodes could not be downloaded", wanted.len())));
    }
    Ok(())
}

/// Finished downloads with their size, unfinished ones with how far they got.
pub fn list(library: &mut Library, paths: &AppPaths, out: &mut impl Write) -> Result<(), HarkError> {
    let dir = paths.downloads();
    for (episode, size) in library.downloads_on_disk()? {
        let path = episode.path.as_deref().unwrap_or_default();
        say(out, format!("{:>6}  done     {:>10}  {}  ({path})", episode.id, size_text(size), episode.title));
    }
    for episode in library.episodes(None)?.into_iter().filter(|e| e.path.is_none()) {
        if let Some(progress) = crate::media::PartialFile::peek(&dir, episode.id) {
            let done = match progress.total {
                Some(total) if total > 0 => format!("{}%", progress.bytes * 100 / total),
                _ => size_text(progress.bytes),
            };
            say(out, format!("{:>6}  partial  {done:>10}  {}", episode.id, episode.title));
        }
    }
    Ok(())
}

/// Returns how many failed.
fn download_all(
    library: &mut Library,
    paths: &AppPaths,
    ids: &[EpisodeId],
    out: &mut impl Write,
) -> Result<usize, HarkError> {
    use crate::net::download::{DownloadJob, download};
    use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

    let bars = MultiProgress::new();
    let style = ProgressStyle::with_template("{msg:30!} {bar:30} {bytes:>10}/{total_bytes:10} {bytes_per_sec:>12}")
        .expect("static template");
    let mut jobs = Vec::new();
    for id in ids {
        // Downloaded means the file is there: one deleted by hand is fetched again.
        let on_disk = library.downloaded_file(*id)?;
        let episode = library.episode(*id)?;
        if on_disk.is_some() {
            say(out, format!("\"{}\" is already downloaded", episode.summary.title));
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
                // Its loudness is measured in the background when it is first played (by the
                // window's net service, or `hark play`'s): a download ends with its bytes.
                library.set_downloaded(job.episode, Some(&path))?;
                say(out, format!("Downloaded \"{title}\" ({})", path.display()));
            }
            Err(e) => {
                failures += 1;
                complain(format!("\"{title}\": error: {e}"));
            }
        }
    }
    Ok(failures)
}
