//! Parse + sync of a 2,000-episode (~11 MB) feed into a fresh library file.
//! Target: `hark subscribe` of such a feed from loopback, whole process, ≤ 0.25 s
//! (tools/speed-round/subscribe.sh measures that).

use criterion::{Criterion, criterion_group, criterion_main};
use hark::feed::parse_feed;
use hark::library::Library;
use url::Url;

/// A feed shaped like a big real one: iTunes tags, HTML notes in CDATA (~5 KB per episode).
fn big_feed(episodes: usize) -> String {
    let notes = "<p>In this episode we talk about the news of the week, with links and timestamps.</p>\
                 <ul><li>(00:45) Intro</li><li>(12:30) <a href=\"https://example.com/a\">The story</a></li>\
                 <li>(45:10) Listener mail</li></ul>"
        .repeat(25);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Big Show</title>\
         <itunes:author>Bench</itunes:author><description>A big feed</description>\
         <itunes:image href=\"https://example.com/art.jpg\"/>\n",
    );
    for i in 0..episodes {
        xml.push_str(&format!(
            "<item><guid isPermaLink=\"false\">big-{i}</guid><title>Episode {i}: a title of some length</title>\
             <pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><itunes:duration>1:02:03</itunes:duration>\
             <itunes:episode>{i}</itunes:episode><link>https://example.com/episodes/{i}</link>\
             <enclosure url=\"https://cdn.example.com/audio/{i}.mp3\" type=\"audio/mpeg\" length=\"58000000\"/>\
             <description><![CDATA[{notes}]]></description></item>\n"
        ));
    }
    xml.push_str("</channel></rss>\n");
    xml
}

fn parse_and_sync(c: &mut Criterion) {
    let feed = big_feed(2000);
    assert!(feed.len() > 10_000_000, "the bench feed is {} bytes", feed.len());
    let url = Url::parse("https://example.com/feed.xml").unwrap();
    let mut group = c.benchmark_group("feed");
    group.sample_size(10);
    group.bench_function("parse 2000 episodes (11 MB)", |b| b.iter(|| parse_feed(feed.as_bytes(), &url).unwrap()));
    group.bench_function("parse + sync 2000 episodes into a fresh library file", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let parsed = parse_feed(feed.as_bytes(), &url).unwrap();
                let mut library = Library::open(&dir.path().join("library.sqlite3")).unwrap();
                let (_, report) = library.subscribe(url.as_str(), &parsed).unwrap();
                assert_eq!(report.added, 2000);
            },
            criterion::BatchSize::PerIteration,
        )
    });
    // The split of a subscription: parse (above), a fresh library file (its schema made), then
    // store + index = "parse + sync" − parse − this.
    group.bench_function("open a fresh library file", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| Library::open(&dir.path().join("library.sqlite3")).unwrap(),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, parse_and_sync);
criterion_main!(benches);
