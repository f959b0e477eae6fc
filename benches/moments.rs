//! Search to the second at scale: 20,000 episodes (100 shows × 200), each with a 5,000-cue
//! transcript of realistic words (a Zipf-distributed vocabulary of 30,000), indexed as the
//! window indexes them, the transcripts cached as WebVTT files for the read-back. Built once
//! into the target folder (`bench-moments/`) and reused. Reports the moments index's size and
//! the p95 of library searches (target ≤ 20 ms), then the background fetch of 100 shows × 20
//! transcripts from a loopback stand-in (4 at a time, conditional, nothing again when unchanged).

#[path = "../tests/common/server.rs"]
#[allow(dead_code)]
mod server;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hark::library::Library;
use hark::transcript::{Cue, Transcript};
use server::{Route, TestServer};
use url::Url;

const SHOWS: usize = 100;
const PER_SHOW: usize = 200;
const CUES: usize = 5_000;
const VOCABULARY: usize = 30_000;

/// xorshift: the same corpus every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Pronounceable made-up words, the commonest shortest.
fn vocabulary() -> Vec<String> {
    const ONSETS: [&str; 16] = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w"];
    const VOWELS: [&str; 6] = ["a", "e", "i", "o", "u", "ou"];
    (0..VOCABULARY)
        .map(|mut i| {
            let mut word = String::new();
            loop {
                word.push_str(ONSETS[i % 16]);
                word.push_str(VOWELS[(i / 16) % 6]);
                i /= 96;
                if i == 0 {
                    break word;
                }
            }
        })
        .collect()
}

/// Zipf (s = 1.05) as a cumulative table.
fn zipf_table() -> Vec<f64> {
    let weights: Vec<f64> = (1..=VOCABULARY).map(|rank| 1.0 / (rank as f64).powf(1.05)).collect();
    let total: f64 = weights.iter().sum();
    weights
        .iter()
        .scan(0.0, |sum, w| {
            *sum += w / total;
            Some(*sum)
        })
        .collect()
}

fn stamp(ms: u64) -> String {
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

/// A 2-hour transcript: 5,000 cues of 2 to 6 words (1.44 s each), and its WebVTT file.
fn transcript(rng: &mut Rng, words: &[String], zipf: &[f64]) -> (Transcript, String) {
    let mut cues = Vec::with_capacity(CUES);
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..CUES as u64 {
        let count = 2 + rng.next() % 5;
        let text: Vec<&str> = (0..count)
            .map(|_| {
                let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
                words[zipf.partition_point(|c| *c < u).min(VOCABULARY - 1)].as_str()
            })
            .collect();
        let text = text.join(" ");
        let (start, end) = (i * 1440, i * 1440 + 1400);
        vtt.push_str(&format!("{} --> {}\n{text}\n\n", stamp(start), stamp(end)));
        cues.push(Cue { start_secs: start as f64 / 1000.0, end_secs: end as f64 / 1000.0, speaker: None, text });
    }
    (Transcript { cues, timed: true }, vtt)
}

fn feed(show: usize, host: &str, episodes: usize) -> String {
    let mut items = String::new();
    for e in 0..episodes {
        items.push_str(&format!(
            "<item><guid>s{show}e{e}</guid><title>Show {show} episode {e}</title>\
             <description>Notes of episode {e}</description>\
             <pubDate>Mon, 01 Jan 2024 {:02}:{:02}:00 GMT</pubDate>\
             <podcast:transcript url=\"{host}/s{show}/e{e}.vtt\" type=\"text/vtt\"/>\
             <enclosure url=\"https://bench.invalid/s{show}/e{e}.mp3\" type=\"audio/mpeg\"/></item>",
            e / 60,
            e % 60
        ));
    }
    format!(
        "<rss version=\"2.0\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"><channel>\
         <title>Show {show}</title>{items}</channel></rss>"
    )
}

fn subscribe_all(library: &mut Library, host: &str, episodes: usize) {
    for show in 0..SHOWS {
        let url = format!("{host}/s{show}.xml");
        let parsed = hark::feed::parse_feed(feed(show, host, episodes).as_bytes(), &Url::parse(&url).unwrap());
        library.subscribe(&url, &parsed.unwrap()).unwrap();
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The 20,000-episode library with every transcript indexed and cached (built once).
fn big_library() -> (PathBuf, PathBuf) {
    let dir = target_dir().join("bench-moments");
    let (database, cache) = (dir.join("library.sqlite3"), dir.join("cache/transcripts"));
    if dir.join("complete").exists() {
        return (database, cache);
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&cache).unwrap();
    let started = Instant::now();
    let mut library = Library::open(&database).unwrap();
    let host = "https://bench.invalid";
    subscribe_all(&mut library, host, PER_SHOW);
    let (words, zipf) = (vocabulary(), zipf_table());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut cached_bytes = 0;
    for episode in library.episodes(None).unwrap() {
        let link = library.chosen_transcript(episode.id).unwrap().unwrap();
        let (transcript, vtt) = transcript(&mut rng, &words, &zipf);
        let path = hark::transcript::cache::cache_path(&cache, &link.url);
        hark::transcript::cache::write(&path, vtt.as_bytes(), &Default::default()).unwrap();
        cached_bytes += vtt.len();
        library.index_transcript(episode.id, &link.url, &transcript).unwrap();
    }
    eprintln!(
        "built {} episodes × {CUES} cues in {:.0} s ({:.1} GB of cached transcripts)",
        SHOWS * PER_SHOW,
        started.elapsed().as_secs_f64(),
        cached_bytes as f64 / 1e9
    );
    drop(library);
    std::fs::write(dir.join("complete"), "").unwrap();
    (database, cache)
}

/// Rare, middling and common words, two-word queries and prefixes, as typed.
const QUERIES: [&str; 24] = [
    "ba", "be", "bi", "ca", "lou", "sa ta", "ma ne", "poube", "kouhe", "wouwi", "hobe", "vaci", "dema", "re", "lafo",
    "nipe", "sou", "ti ko", "gake", "wubo", "fesa", "gi ra", "mouda", "zzz",
];

fn p95(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[(samples.len() * 95).div_ceil(100) - 1]
}

fn search(c: &mut Criterion) {
    let (database, cache) = big_library();
    let mut library = Library::open(&database).unwrap();
    // As the window does at start: a library from before a change to the index gets its
    // cached transcripts indexed again (once).
    let started = Instant::now();
    let reindexed = library.index_cached_transcripts(&cache).unwrap();
    if reindexed > 0 {
        eprintln!("indexed {reindexed} cached transcripts again in {:.0} s", started.elapsed().as_secs_f64());
    }
    let index = library.moments_index_bytes().unwrap();
    let file = std::fs::metadata(&database).unwrap().len();
    eprintln!(
        "moments index {:.1} MB; library file {:.1} MB ({} episodes with a {CUES}-cue transcript)",
        index as f64 / 1e6,
        file as f64 / 1e6,
        SHOWS * PER_SHOW
    );
    let mut times = Vec::new();
    for round in 0..3 {
        for query in QUERIES {
            let started = Instant::now();
            let found = library.search_with_transcripts(query, &cache).unwrap();
            if round == 2 {
                times.push(started.elapsed());
            }
            black_box(found);
        }
    }
    let first = library.search_with_transcripts("kouhe", &cache).unwrap();
    eprintln!(
        "search p95 {:.1} ms, slowest {:.1} ms over {} queries ('kouhe': {} hits, first at {:?})",
        p95(&mut times).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        times.len(),
        first.episodes.len(),
        first.episodes.first().and_then(|h| h.at_secs)
    );
    c.bench_function("search a rare spoken word in 20,000 transcripts", |b| {
        b.iter(|| library.search_with_transcripts(black_box("kouhe"), &cache).unwrap())
    });
    c.bench_function("search a common spoken word in 20,000 transcripts", |b| {
        b.iter(|| library.search_with_transcripts(black_box("ba"), &cache).unwrap())
    });
}

/// 100 shows × 20 newest transcripts from a loopback stand-in: the first round fetches all,
/// the same day asks nothing, a week on asks each conditionally and reads nothing again.
fn background_fetch(c: &mut Criterion) {
    hark::http::install_crypto_provider();
    let server = TestServer::start();
    let mut rng = Rng(7);
    let (words, zipf) = (vocabulary(), zipf_table());
    let (_, vtt) = transcript(&mut rng, &words, &zipf);
    let host = server.url("");
    for show in 0..SHOWS {
        for e in 0..20 {
            let route = Route::ok(vtt.clone(), "text/vtt").with_etag(&format!("\"s{show}e{e}\""));
            server.set(&format!("/s{show}/e{e}.vtt"), route);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (database, cache) = (dir.path().join("library.sqlite3"), dir.path().join("transcripts"));
    let mut library = Library::open(&database).unwrap();
    subscribe_all(&mut library, &host, 20);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let client = hark::http::client();
    let round = |library: &mut Library| {
        let wanted = hark::net::transcripts::wanted(library);
        let asked = wanted.len();
        let started = Instant::now();
        let mut indexed = 0;
        runtime.block_on(hark::net::transcripts::fetch_all(&client, &cache, wanted, |fetched| {
            indexed += usize::from(hark::net::transcripts::store(library, fetched));
        }));
        (asked, indexed, started.elapsed())
    };
    let (asked, indexed, took) = round(&mut library);
    eprintln!("first round: {asked} transcripts asked, {indexed} indexed in {:.1} s", took.as_secs_f64());
    let (again, _, _) = round(&mut library);
    eprintln!("the same day: {again} asked");
    let connection = rusqlite::Connection::open(&database).unwrap();
    connection.execute("UPDATE transcript_checks SET checked_at = checked_at - 8 * 86400", []).unwrap();
    let (asked, indexed, took) = round(&mut library);
    let conditional = (0..SHOWS)
        .flat_map(|s| (0..20).map(move |e| (s, e)))
        .filter(|(s, e)| {
            server.requests(&format!("/s{s}/e{e}.vtt")).last().and_then(|r| r.header("if-none-match")).is_some()
        })
        .count();
    eprintln!(
        "a week on: {asked} asked ({conditional} conditional), {indexed} read again, in {:.1} s",
        took.as_secs_f64()
    );
    c.bench_function("background fetch round, all unchanged (2,000 × 304)", |b| {
        b.iter(|| {
            connection.execute("UPDATE transcript_checks SET checked_at = 0", []).unwrap();
            round(&mut library)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = search, background_fetch
}
criterion_main!(benches);
