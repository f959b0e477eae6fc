//! Decode throughput on a 60-minute MP3 (target: ≥ 0.8× ffmpeg's speed on the same file), and
//! the time from the listener's Play to the first sound handed to the device for a downloaded
//! episode (target ≤ 150 ms with the device's own buffer on top).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hark::library::Library;
use hark::listening::{Command, Listening};
use hark::model::EpisodeId;
use hark::net::{NetService, OnStart};
use hark::paths::AppPaths;
use hark::player::{Capture, OutputChoice, open_file};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A 60-minute MP3: the 60-second fixture 60 times over (MP3 frames concatenate).
fn hour_long_mp3(dir: &std::path::Path) -> PathBuf {
    let minute = std::fs::read(fixture("tone-noxing.mp3")).unwrap();
    let path = dir.join("hour.mp3");
    std::fs::write(&path, minute.repeat(60)).unwrap();
    path
}

fn decode(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = hour_long_mp3(dir.path());
    eprintln!("60-minute MP3 at {} (compare: ffmpeg -i it -f null -)", path.display());
    let mut group = c.benchmark_group("decode");
    group.sample_size(10);
    group.bench_function("60-minute MP3 (32 kbps mono)", |b| {
        b.iter(|| {
            let mut decoder = open_file(&path).unwrap();
            let mut samples = Vec::with_capacity(4096);
            let mut frames = 0usize;
            while decoder.next_packet(&mut samples).unwrap().is_some() {
                frames += samples.len();
                samples.clear();
            }
            assert!(frames > 22_050 * 3590, "decoded {frames} samples");
        })
    });
    group.finish();
}

/// A library whose one show's one episode is `audio`, downloaded.
fn library_with_download(dir: &std::path::Path, audio: &std::path::Path) -> (AppPaths, EpisodeId) {
    let paths = AppPaths::inside(dir);
    paths.create_all().unwrap();
    let mut library = Library::open(&paths.database()).unwrap();
    let feed = "<rss version=\"2.0\"><channel><title>Hour</title><item><guid>h</guid><title>An hour</title>\
                <enclosure url=\"http://127.0.0.1:9/hour.mp3\" type=\"audio/mpeg\"/></item></channel></rss>";
    let url = "http://127.0.0.1:9/feed.xml";
    let parsed = hark::feed::parse_feed(feed.as_bytes(), &url::Url::parse(url).unwrap()).unwrap();
    library.subscribe(url, &parsed).unwrap();
    let episode = library.episodes(None).unwrap()[0].id;
    library.set_downloaded(episode, Some(audio)).unwrap();
    (paths, episode)
}

/// From the listener's Play (the command the window's button and the keys send to the listening
/// session) to the first sound handed to the device: the session's library reads, the load, the
/// seek into the file and the first decode. The device's own buffer comes on top of this.
fn first_audio(c: &mut Criterion) {
    let mut group = c.benchmark_group("playback");
    group.sample_size(20);
    group.bench_function("Play pressed to first sound out (downloaded MP3, from 25:00 of 60)", |b| {
        let dir = tempfile::tempdir().unwrap();
        let path = hour_long_mp3(dir.path());
        let (paths, episode) = library_with_download(dir.path(), &path);
        let (events, _received) = std::sync::mpsc::channel();
        let net = NetService::spawn(paths.clone(), events, Arc::new(hark::NoWaker), OnStart::Idle).unwrap();
        let capture = Capture::new();
        let library = Library::open(&paths.database()).unwrap();
        let mut session =
            Listening::new(library, OutputChoice::Capture(capture.clone()), net.sender(), Arc::new(hark::NoWaker))
                .unwrap();
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                session.handle(Command::Stop).unwrap();
                let started = Instant::now();
                session.handle(Command::Play { episode, from: Some(1500.0) }).unwrap();
                // Until the first sample that is sound, not the silence before playback starts.
                loop {
                    let heard = capture.take_frames(16, Duration::from_secs(10));
                    if heard.iter().any(|s| s.abs() > 1e-4) {
                        break;
                    }
                    session.poll().unwrap();
                    assert!(started.elapsed() < Duration::from_secs(10), "no sound came out");
                }
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, decode, first_audio);
criterion_main!(benches);
