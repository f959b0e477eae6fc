//! Chapters and transcripts from every source, against real files and a loopback server:
//! ID3 and MP4 chapters read from the audio, the Podcasting 2.0 chapters file fetched (and
//! re-fetched conditionally) winning over the file's and the feed's own, a 360-cue WebVTT
//! transcript read to the millisecond, every `podcast:transcript` of an episode, every `psc:` and
//! `podcast:transcript` of the corpus (when it is here), and hostile files bounded with one clear
//! message.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::server::{Route, TestServer};
use hark::chapters::ChapterSource;
use hark::media::chapters::read_file_chapters;

fn hark(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data).args(args).output().expect("run hark")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

const TITLES: [&str; 6] = ["Cold open", "News", "Interview", "Listener mail", "Sponsor", "Outro"];

#[test]
fn chapters_written_into_mp3_and_m4a_files_are_read_with_exact_starts() {
    for (file, source) in [("chapters.mp3", ChapterSource::Id3), ("chapters.m4a", ChapterSource::Mp4)] {
        let read = read_file_chapters(&common::fixture(file)).unwrap();
        let (found, chapters) = (read.source, read.chapters);
        assert_eq!(found, source, "{file}");
        assert!((read.duration_secs.unwrap() - 60.0).abs() < 0.1, "{file}: {:?}", read.duration_secs);
        let starts: Vec<f64> = chapters.iter().map(|c| c.start_secs).collect();
        assert_eq!(starts, [0.0, 10.0, 20.0, 30.0, 40.0, 50.0], "{file}");
        let titles: Vec<&str> = chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, TITLES, "{file}");
    }
    let none = read_file_chapters(&common::fixture("tone-cbr.mp3")).unwrap();
    assert!(none.chapters.is_empty(), "a file without chapters has none");
    assert!(read_file_chapters(&common::fixture("not-audio.mp3")).is_err());
}

/// A show whose one episode is the chaptered MP3, with a chapters file, `psc:` chapters and
/// two transcripts.
fn chaptered_show(server: &TestServer, chapters_json: &str, vtt: &str) {
    let feed = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:psc="http://podlove.org/simple-chapters">
<channel><title>Chaptered Show</title>
<item><guid>ep1</guid><title>With Chapters</title><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<enclosure url="{audio}" type="audio/mpeg" length="240763"/>
<podcast:chapters url="{json}" type="application/json+chapters"/>
<podcast:transcript url="{srt}" type="application/x-subrip" language="en"/>
<podcast:transcript url="{vtt}" type="text/vtt" language="en" rel="captions"/>
<psc:chapters version="1.2">
  <psc:chapter start="00:00:00" title="Feed intro"/>
  <psc:chapter start="00:00:12.5" title="Feed middle" href="https://example.com/psc"/>
</psc:chapters>
<description>00:00 Notes intro
00:05 Notes one
00:09 Notes two</description></item>
</channel></rss>"#,
        audio = server.url("/chapters.mp3"),
        json = server.url("/chapters.json"),
        srt = server.url("/t.srt"),
        vtt = server.url("/t.vtt"),
    );
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    server.set("/chapters.mp3", Route::ok(common::fixture_bytes("chapters.mp3"), "audio/mpeg"));
    server.set("/chapters.json", Route::ok(chapters_json, "application/json").with_etag("\"v1\""));
    server.set("/t.srt", Route::ok("1\n00:00:00,000 --> 00:00:02,000\nfrom the SRT\n", "application/x-subrip"));
    server.set("/t.vtt", Route::ok(vtt, "text/vtt"));
}

const PUBLISHER_CHAPTERS: &str = r#"{"version":"1.2.0","chapters":[
    {"startTime":0,"title":"Welcome","img":"https://example.com/welcome.jpg"},
    {"startTime":10.0,"title":"Headlines","url":"https://example.com/headlines"},
    {"startTime":35,"title":"Ad break","toc":false},
    {"startTime":50,"title":"Goodbye"}]}"#;

#[test]
fn the_publishers_chapters_file_wins_over_the_files_and_the_feeds_chapters() {
    let server = TestServer::start();
    chaptered_show(&server, PUBLISHER_CHAPTERS, "WEBVTT\n");
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    assert!(hark(data.path(), &["download", "With Chapters"]).status.success());

    let merged = json(&hark(data.path(), &["chapters", "With Chapters", "--json"]));
    let merged = merged.as_array().unwrap();
    let titles: Vec<&str> = merged.iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Welcome", "Headlines", "Ad break", "Goodbye"]);
    assert!(merged.iter().all(|c| c["source"] == "json"));
    assert_eq!(merged[1]["start_secs"], 10.0);
    assert_eq!(merged[1]["end_secs"], 35.0, "a chapter ends where the next begins");
    assert_eq!(merged[1]["url"], "https://example.com/headlines");
    assert_eq!(merged[0]["image"], "https://example.com/welcome.jpg");
    assert!((merged[3]["end_secs"].as_f64().unwrap() - 60.0).abs() < 0.5, "the last ends with the audio");

    let all = json(&hark(data.path(), &["chapters", "With Chapters", "--json", "--all"]));
    let count = |source: &str| all.as_array().unwrap().iter().filter(|c| c["source"] == source).count();
    assert_eq!((count("json"), count("id3"), count("psc"), count("notes")), (4, 6, 2, 3), "{all:#}");
    let psc_middle = all.as_array().unwrap().iter().find(|c| c["title"] == "Feed middle").unwrap();
    assert_eq!(psc_middle["start_secs"], 12.5);

    // Fetched again conditionally: the server's 304 keeps the list.
    let requests = server.requests("/chapters.json");
    assert_eq!(requests.len(), 2, "one fetch per command");
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    let plain = hark(data.path(), &["chapters", "With Chapters"]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.contains("0:10  Headlines  (0:25)"), "{text}");
    assert!(text.contains("Ad break"), "a chapter out of the table of contents is still listed in the CLI");
}

#[test]
fn without_a_chapters_file_the_audio_files_own_chapters_win_over_psc_and_the_notes() {
    let server = TestServer::start();
    chaptered_show(&server, PUBLISHER_CHAPTERS, "WEBVTT\n");
    server.set("/chapters.json", Route::status(404, "gone"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    // Not downloaded: the feed's own psc: chapters, the file unknown yet.
    let before = hark(data.path(), &["chapters", "With Chapters", "--json"]);
    assert!(String::from_utf8_lossy(&before.stderr).contains("404"), "the failed fetch is said once, on stderr");
    let before = json(&before);
    assert_eq!(
        before.as_array().unwrap().iter().map(|c| c["source"].as_str().unwrap()).collect::<Vec<_>>(),
        ["psc", "psc"]
    );
    assert!(hark(data.path(), &["download", "With Chapters"]).status.success());
    let after = json(&hark(data.path(), &["chapters", "With Chapters", "--json"]));
    let titles: Vec<&str> = after.as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap()).collect();
    assert_eq!(titles, TITLES);
    assert_eq!(after[2]["start_secs"], 20.0);
}

fn webvtt(cues: usize) -> String {
    let mut vtt = String::from("WEBVTT\n\nNOTE written for the test\n\n");
    for i in 0..cues {
        let (start, end) = (i * 10_000 + 250, i * 10_000 + 9_750);
        let clock =
            |ms: usize| format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        vtt.push_str(&format!(
            "{}\n{} --> {} align:start\n<v Host {}>Cue number {i}</v>\n\n",
            i + 1,
            clock(start),
            clock(end),
            i % 2
        ));
    }
    vtt
}

#[test]
fn a_360_cue_webvtt_transcript_is_read_to_the_millisecond_and_cached() {
    let server = TestServer::start();
    chaptered_show(&server, PUBLISHER_CHAPTERS, &webvtt(360));
    server.set("/t.vtt", Route::ok(webvtt(360), "text/vtt").with_etag("\"v1\""));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    let cues = json(&hark(data.path(), &["transcript", "With Chapters", "--json"]));
    let cues = cues.as_array().unwrap();
    assert_eq!(cues.len(), 360, "the VTT is chosen over the SRT");
    for (i, cue) in cues.iter().enumerate() {
        assert_eq!(cue["start_secs"].as_f64().unwrap(), (i * 10_000 + 250) as f64 / 1000.0);
        assert_eq!(cue["end_secs"].as_f64().unwrap(), (i * 10_000 + 9_750) as f64 / 1000.0);
        assert_eq!(cue["text"], format!("Cue number {i}"));
        assert_eq!(cue["speaker"], format!("Host {}", i % 2));
    }
    let plain = hark(data.path(), &["transcript", "With Chapters"]);
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.lines().nth(1).unwrap().contains("[0:10] Host 1: Cue number 1"), "{text}");
    let asked = server.requests("/t.vtt");
    assert_eq!(asked.len(), 2, "asked again, conditionally");
    assert_eq!(asked[1].header("if-none-match"), Some("\"v1\""), "the second read asked only whether it changed");
    assert!(server.requests("/t.srt").is_empty());
}

#[test]
fn a_transcript_that_failed_to_parse_is_fetched_again_once_fixed_and_a_good_one_outlives_the_server() {
    let server = TestServer::start();
    chaptered_show(&server, PUBLISHER_CHAPTERS, "this is not WebVTT at all");
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());
    let broken = hark(data.path(), &["transcript", "With Chapters", "--json"]);
    assert!(!broken.status.success(), "a broken transcript is refused");
    let said = String::from_utf8_lossy(&broken.stderr).to_string();
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert!(said.contains("could not be read"), "{said}");

    // The publisher fixes it: Hark reads the fixed file, not a cached broken one.
    server.set("/t.vtt", Route::ok(webvtt(3), "text/vtt"));
    let fixed = json(&hark(data.path(), &["transcript", "With Chapters", "--json"]));
    assert_eq!(fixed.as_array().map(Vec::len), Some(3));
    assert_eq!(server.requests("/t.vtt").len(), 2);

    // The server goes away: the good copy is still there.
    server.set("/t.vtt", Route::status(500, "down"));
    let offline = json(&hark(data.path(), &["transcript", "With Chapters", "--json"]));
    assert_eq!(offline.as_array().map(Vec::len), Some(3), "the cached transcript");
}

#[test]
fn hostile_chapters_and_transcripts_are_bounded_with_one_clear_message() {
    let server = TestServer::start();
    // 100,000 chapters, unsorted, some negative.
    let entries: Vec<String> = (0..100_000)
        .map(|i| format!("{{\"startTime\":{},\"title\":\"c{i}\"}}", if i % 7 == 0 { -5 } else { 100_000 - i }))
        .collect();
    let huge = format!("{{\"version\":\"1.2.0\",\"chapters\":[{}]}}", entries.join(","));
    assert!(huge.len() < 4 * 1024 * 1024, "under the size cap: the count cap is what is tested");
    chaptered_show(&server, &huge, "WEBVTT\n");
    // A 50 MB "transcript".
    server.set("/t.vtt", Route::ok(vec![b'a'; 50 * 1024 * 1024], "text/vtt"));
    let data = tempfile::tempdir().unwrap();
    assert!(hark(data.path(), &["subscribe", &server.url("/feed.xml")]).status.success());

    let chapters = json(&hark(data.path(), &["chapters", "With Chapters", "--json"]));
    let starts: Vec<f64> = chapters.as_array().unwrap().iter().map(|c| c["start_secs"].as_f64().unwrap()).collect();
    assert_eq!(starts.len(), hark::chapters::MAX_CHAPTERS);
    assert!(starts.windows(2).all(|w| w[0] <= w[1]) && starts[0] >= 0.0, "sorted, nothing negative");

    let out = hark(data.path(), &["transcript", "With Chapters"]);
    assert!(!out.status.success());
    let message = String::from_utf8(out.stderr).unwrap();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("is larger than 8 MB"), "{message}");
    assert!(server.bytes_sent("/t.vtt") < 16 * 1024 * 1024, "the download stopped at the cap");
    // Nothing else broke: the show and its episode are as they were.
    let episodes = json(&hark(data.path(), &["episodes", "--json"]));
    assert_eq!(episodes.as_array().unwrap().len(), 1);
}

#[test]
fn every_transcript_link_of_an_episode_is_read_and_webvtt_is_chosen() {
    let feed = hark::feed::parse_feed(
        &common::fixture_bytes("feeds/podcast-namespace.xml"),
        &url::Url::parse("https://tinkerers.example.com/feed.xml").unwrap(),
    )
    .unwrap();
    let links = &feed.episodes[0].transcripts;
    let types: Vec<&str> = links.iter().filter_map(|l| l.mime.as_deref()).collect();
    // The fixture's fifth link, a file:// address, is dropped.
    assert_eq!(types, ["application/x-subrip", "text/vtt", "text/html", "text/vtt"]);
    let chosen = hark::transcript::choose(links, Some("en")).unwrap();
    assert_eq!(chosen.url, "https://tinkerers.example.com/tb-12/transcript.vtt");
    let german = hark::transcript::choose(links, Some("de-AT")).unwrap();
    assert_eq!(german.url, "https://tinkerers.example.com/transcripts/tb-12.de.vtt");
}

/// Conformance over the shared corpus of real feeds (`common::corpus_dir`; skipped without it).
#[test]
fn every_psc_chapter_and_transcript_link_of_the_corpus_is_read() {
    let Some(corpus) = common::corpus_dir() else { return };
    let (mut psc_written, mut psc_read, mut links_written, mut links_read) = (0, 0, 0, 0);
    for entry in std::fs::read_dir(corpus.join("feeds")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let url = url::Url::parse("https://example.com/feed.xml").unwrap();
        let Ok(feed) = hark::feed::parse_feed(&bytes, &url) else { continue };
        psc_written += text.matches("<psc:chapter ").count();
        // A transcript inside a podcast:alternateEnclosure is that enclosure's, not the episode's.
        let in_alternates: usize = text
            .split("<podcast:alternateEnclosure")
            .skip(1)
            .map(|rest| rest.split("</podcast:alternateEnclosure>").next().unwrap_or_default())
            .map(|inside| inside.matches("<podcast:transcript ").count())
            .sum();
        links_written += text.matches("<podcast:transcript ").count() - in_alternates;
        for episode in &feed.episodes {
            psc_read += episode.psc_chapters.len();
            links_read += episode.transcripts.len();
            let merged =
                hark::chapters::with_ends(hark::chapters::merge(std::slice::from_ref(&episode.psc_chapters)), None);
            assert!(merged.windows(2).all(|w| w[0].start_secs <= w[1].start_secs), "{}", path.display());
        }
    }
    assert!(psc_written >= 231, "the corpus has cre-podlove's chapters");
    assert_eq!(psc_read, psc_written, "every psc:chapter of an audio episode");
    assert_eq!(links_read, links_written, "every podcast:transcript, not only the first");
}

/// An ID3v2.4 frame: id, syncsafe size, no flags, body.
fn id3_frame(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut frame = id.to_vec();
    frame.extend_from_slice(&syncsafe(body.len()));
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(body);
    frame
}

fn syncsafe(n: usize) -> [u8; 4] {
    [(n >> 21) as u8 & 0x7f, (n >> 14) as u8 & 0x7f, (n >> 7) as u8 & 0x7f, n as u8 & 0x7f]
}

/// A chapter from `start_ms` to `end_ms` with a title, as mp3chaps-style writers put it.
fn chap(id: &str, start_ms: u32, end_ms: u32, title: &str) -> Vec<u8> {
    let mut body = id.as_bytes().to_vec();
    body.push(0);
    body.extend_from_slice(&start_ms.to_be_bytes());
    body.extend_from_slice(&end_ms.to_be_bytes());
    body.extend_from_slice(&[0xff; 8]);
    let mut text = vec![3u8];
    text.extend_from_slice(title.as_bytes());
    body.extend(id3_frame(b"TIT2", &text));
    id3_frame(b"CHAP", &body)
}

fn toc(id: &str, children: &[String]) -> Vec<u8> {
    let mut body = id.as_bytes().to_vec();
    body.extend_from_slice(&[0, 0x03, children.len() as u8]);
    for child in children {
        body.extend_from_slice(child.as_bytes());
        body.push(0);
    }
    id3_frame(b"CTOC", &body)
}

/// The tone MP3's audio behind a tag of our own (`flags`, then `extended` header bytes, then frames).
fn mp3_with_tag(dir: &Path, name: &str, flags: u8, extended: &[u8], frames: &[Vec<u8>]) -> std::path::PathBuf {
    let tone = common::fixture_bytes("tone-cbr.mp3");
    let old_tag = hark::media::id3::id3v2_len(tone[..10].try_into().unwrap()) as usize;
    let body: Vec<u8> = extended.iter().copied().chain(frames.iter().flatten().copied()).collect();
    let mut file = vec![b'I', b'D', b'3', 4, 0, flags];
    file.extend_from_slice(&syncsafe(body.len()));
    file.extend(body);
    file.extend_from_slice(&tone[old_tag..]);
    let path = dir.join(name);
    std::fs::write(&path, file).unwrap();
    path
}

#[test]
fn a_tag_with_an_extended_header_still_gives_its_chapters() {
    let dir = tempfile::tempdir().unwrap();
    let chapters = [chap("c0", 0, 15_000, "Start"), chap("c1", 15_000, 30_000, "Middle")];
    let children: Vec<String> = vec!["c0".into(), "c1".into()];
    let mut frames = vec![toc("toc", &children)];
    frames.extend(chapters);
    // As mp3chaps.py writes v2.4: an extended header (syncsafe size counting itself) with a CRC.
    let extended = [0, 0, 0, 11, 1, 0x20, 5, 0x01, 0x02, 0x03, 0x04];
    let path = mp3_with_tag(dir.path(), "extended.mp3", 0x40, &extended, &frames);
    let read = read_file_chapters(&path).unwrap();
    let got: Vec<(f64, &str)> = read.chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect();
    assert_eq!(got, [(0.0, "Start"), (15.0, "Middle")]);
    assert!(read.duration_secs.is_some_and(|d| (d - 60.0).abs() < 0.5), "{:?}", read.duration_secs);
}

#[test]
fn tables_of_contents_nested_thousands_deep_neither_crash_nor_stop_playback() {
    let dir = tempfile::tempdir().unwrap();
    let mut frames: Vec<Vec<u8>> = (0..5000).map(|n| toc(&format!("toc{n}"), &[format!("toc{}", n + 1)])).collect();
    frames.push(toc("toc5000", &["c0".into()]));
    frames.push(chap("c0", 5_000, 10_000, "Deep down"));
    let path = mp3_with_tag(dir.path(), "deep.mp3", 0, &[], &frames);
    // On a small stack, as a worker thread might have: recursion over the tag would overflow it.
    let reader = std::thread::Builder::new().stack_size(256 * 1024).spawn({
        let path = path.clone();
        move || {
            let chapters = read_file_chapters(&path).unwrap().chapters;
            let playable = hark::player::probe_audio(&path, Some("mp3"));
            let decoder = hark::player::open_file(&path).map(|d| d.duration_secs());
            (chapters, playable, decoder)
        }
    });
    let (chapters, playable, decoder) = reader.unwrap().join().expect("no crash");
    let got: Vec<(f64, &str)> = chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect();
    assert_eq!(got, [(5.0, "Deep down")], "the chapter is kept, the tables are not followed");
    assert!(playable, "it is audio");
    assert!(decoder.unwrap().is_some_and(|d| (d - 60.0).abs() < 0.5));
}

#[test]
fn an_mp4_whose_chapter_tracks_are_several_gives_the_titles_tracks_chapters() {
    // As Auphonic writes them: the pictures' (video) track first, then titles, then titles with
    // links, and no Nero list (made by tools/chapter-tracks/make.py; ffprobe reads the same).
    let read = read_file_chapters(&common::fixture("chapter-tracks.m4a")).unwrap();
    assert_eq!(read.source, ChapterSource::Mp4);
    let got: Vec<(f64, &str)> = read.chapters.iter().map(|c| (c.start_secs, c.title.as_str())).collect();
    assert_eq!(got, [(0.0, "Cold open"), (5.0, "News"), (12.0, "Listener mail")]);
    assert!(read.duration_secs.is_some_and(|d| (d - 20.0).abs() < 0.2), "{:?}", read.duration_secs);
}
