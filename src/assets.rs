//! Files that ship inside the binary: the demo show.

use std::path::Path;

use url::Url;

use crate::error::HarkError;
use crate::feed::parse_feed;
use crate::library::Library;
use crate::model::PodcastId;

/// The scheme of files that ship inside Hark (the demo show's art), never fetched.
pub const BUNDLED_SCHEME: &str = "hark-bundled";
/// The demo's feed address. `.invalid` never resolves, and bundled podcasts are never fetched.
pub const DEMO_FEED_URL: &str = "https://demo.hark.invalid/feed.xml";
const DEMO_FEED: &[u8] = include_bytes!("../assets/demo/feed.xml");
const DEMO_ART_URL: &str = "hark-bundled:demo/art.png";
const DEMO_ART: &[u8] = include_bytes!("../assets/demo/art.png");
const DEMO_EPISODES: [(&str, &[u8]); 3] = [
    ("episode-1.mp3", include_bytes!("../assets/demo/episode-1.mp3")),
    ("episode-2.mp3", include_bytes!("../assets/demo/episode-2.mp3")),
    ("episode-3.mp3", include_bytes!("../assets/demo/episode-3.mp3")),
];

/// Bytes of an asset named by a `hark-bundled:` URL.
pub fn bundled(url: &str) -> Option<&'static [u8]> {
    let name = url.strip_prefix(BUNDLED_SCHEME)?.strip_prefix(':')?;
    match name {
        "demo/art.png" => Some(DEMO_ART),
        _ => None,
    }
}

/// Adds the demo show with its episodes already downloaded into `downloads`.
pub fn install_demo(library: &mut Library, downloads: &Path) -> Result<PodcastId, HarkError> {
    let base = Url::parse(DEMO_FEED_URL).expect("constant URL");
    let mut feed = parse_feed(DEMO_FEED, &base)?;
    feed.podcast.art_url = Some(DEMO_ART_URL.to_string());
    let (podcast, _) = library.add_bundled(DEMO_FEED_URL, &feed)?;
    std::fs::create_dir_all(downloads).map_err(|e| HarkError::io("could not create the downloads folder", e))?;
    for summary in library.episodes(Some(podcast))? {
        let Some((name, bytes)) = DEMO_EPISODES.iter().find(|(name, _)| summary.url.ends_with(name)) else {
            continue;
        };
        let path = downloads.join(format!("demo-{name}"));
        std::fs::write(&path, bytes).map_err(|e| HarkError::io(format!("could not write {}", path.display()), e))?;
        library.set_downloaded(summary.id, Some(&path))?;
    }
    Ok(podcast)
}
