//! Subscribe and refresh against a real HTTP server on 127.0.0.1 and a real SQLite file.

mod common;

use common::feeds::{Item, rss, rss_with};
use common::server::{Route, TestServer};
use hark::http;
use hark::library::Library;
use hark::net::refresh;

struct Rig {
    server: TestServer,
    library: Library,
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn new() -> Self {
        common::init();
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(&dir.path().join("library.sqlite3")).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Self { server: TestServer::start(), library, client: http::client(), runtime, _dir: dir }
    }

    fn subscribe(&mut self, url: &str) -> Result<refresh::Subscribed, String> {
        let rig = self;
        rig.runtime.block_on(refresh::subscribe(&rig.client, &mut rig.library, url)).map_err(|e| e.to_string())
    }

    fn refresh(&mut self, podcast: hark::model::PodcastId) -> refresh::Refreshed {
        let url = self.library.podcast(podcast).unwrap().feed_url;
        let validators = self.library.validators(podcast).unwrap();
        let fetched = self.runtime.block_on(refresh::fetch_known(&self.client, &url, &validators));
        refresh::apply_refresh(&mut self.library, podcast, fetched).unwrap()
    }

    fn snapshot(&self) -> (Vec<hark::model::PodcastSummary>, Vec<hark::model::EpisodeSummary>) {
        (self.library.podcasts().unwrap(), self.library.episodes(None).unwrap())
    }
}

fn two_items() -> Vec<Item<'static>> {
    vec![
        Item { guid: "ep-1", title: "First", url: "http://127.0.0.1:9/1.mp3" },
        Item { guid: "ep-2", title: "Second", url: "http://127.0.0.1:9/2.mp3" },
    ]
}

#[test]
fn subscribe_then_refresh_with_304_changes_nothing() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Show", &two_items()), "application/rss+xml").with_etag("\"v1\""));
    let subscribed = rig.subscribe(&rig.server.url("/feed.xml")).unwrap();
    assert_eq!((subscribed.title.as_str(), subscribed.episodes), ("Show", 2));
    let podcast = rig.library.podcast(subscribed.podcast).unwrap();
    assert_eq!(podcast.author.as_deref(), Some("Test Author"));
    assert_eq!(rig.library.validators(subscribed.podcast).unwrap().etag.as_deref(), Some("\"v1\""));

    let refreshed = rig.refresh(subscribed.podcast);
    assert_eq!(refreshed.result.unwrap(), hark::model::SyncReport::default());
    let requests = rig.server.requests("/feed.xml");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    assert!(requests[0].header("user-agent").unwrap().starts_with("Hark/"));
}

#[test]
fn an_unchanged_body_without_validators_is_not_parsed_again() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Show", &two_items()), "application/rss+xml"));
    let subscribed = rig.subscribe(&rig.server.url("/feed.xml")).unwrap();
    let report = rig.refresh(subscribed.podcast).result.unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (0, 0, 0), "same hash: nothing parsed or compared");
}

#[test]
fn a_changed_feed_adds_episodes_and_keeps_what_the_listener_did() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Show", &two_items()), "application/rss+xml").with_etag("\"v1\""));
    let subscribed = rig.subscribe(&rig.server.url("/feed.xml")).unwrap();
    let first =
        rig.library.episodes(Some(subscribed.podcast)).unwrap().into_iter().find(|e| e.title == "First").unwrap();
    rig.library.set_position(first.id, 42.5).unwrap();
    rig.library.set_played(first.id, true).unwrap();

    let mut items = two_items();
    items.push(Item { guid: "ep-3", title: "Third", url: "http://127.0.0.1:9/3.mp3" });
    items[0].title = "First (remastered)";
    rig.server.set("/feed.xml", Route::ok(rss("Show", &items), "application/rss+xml").with_etag("\"v2\""));
    let report = rig.refresh(subscribed.podcast).result.unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (1, 1, 1));

    let episodes = rig.library.episodes(Some(subscribed.podcast)).unwrap();
    assert_eq!(episodes.len(), 3);
    let first = episodes.iter().find(|e| e.id == first.id).unwrap();
    assert_eq!(first.title, "First (remastered)");
    assert_eq!(first.position_secs, 42.5);
    assert!(first.played);
}

#[test]
fn a_permanent_redirect_moves_the_subscription_a_temporary_one_does_not() {
    let mut rig = Rig::new();
    rig.server.set("/new.xml", Route::ok(rss("Moved Show", &two_items()), "application/rss+xml"));
    rig.server.set("/old.xml", Route::redirect(301, &rig.server.url("/new.xml")));
    rig.server.set("/temp.xml", Route::redirect(302, "/new.xml"));

    let moved = rig.subscribe(&rig.server.url("/old.xml")).unwrap();
    assert_eq!(rig.library.podcast(moved.podcast).unwrap().feed_url, rig.server.url("/new.xml"));

    let mut other = Rig::new();
    other.server.set("/new.xml", Route::ok(rss("Other", &two_items()), "application/rss+xml"));
    other.server.set("/temp.xml", Route::redirect(302, "/new.xml"));
    let kept = other.subscribe(&other.server.url("/temp.xml")).unwrap();
    assert_eq!(other.library.podcast(kept.podcast).unwrap().feed_url, other.server.url("/temp.xml"));
}

#[test]
fn itunes_new_feed_url_moves_the_subscription_on_refresh() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Show", &two_items()), "application/rss+xml"));
    let subscribed = rig.subscribe(&rig.server.url("/feed.xml")).unwrap();
    let moved = format!("<itunes:new-feed-url>\n  {}\n</itunes:new-feed-url>", rig.server.url("/v2.xml"));
    rig.server.set("/feed.xml", Route::ok(rss_with("Show", &moved, &two_items()), "application/rss+xml"));
    rig.refresh(subscribed.podcast).result.unwrap();
    assert_eq!(rig.library.podcast(subscribed.podcast).unwrap().feed_url, rig.server.url("/v2.xml"));
}

#[test]
fn a_new_feed_cannot_move_itself_onto_a_show_you_follow() {
    let mut rig = Rig::new();
    rig.server.set("/followed.xml", Route::ok(rss("Followed Show", &two_items()), "application/rss+xml"));
    let followed = rig.subscribe(&rig.server.url("/followed.xml")).unwrap();
    let before = rig.snapshot();
    let claim = format!("<itunes:new-feed-url>{}</itunes:new-feed-url>", rig.server.url("/followed.xml"));
    let intruder = [Item { guid: "x", title: "Injected", url: "http://127.0.0.1:9/x.mp3" }];
    rig.server.set("/intruder.xml", Route::ok(rss_with("Intruder", &claim, &intruder), "application/rss+xml"));

    // Its move is followed to where it points, and that is a show you already follow: what
    // comes of it is the followed feed as its own server gives it, nothing of the intruder's.
    let subscribed = rig.subscribe(&rig.server.url("/intruder.xml")).unwrap();
    assert_eq!(subscribed.podcast, followed.podcast);
    assert!(subscribed.already_subscribed, "you already follow it");
    assert_eq!(rig.library.podcasts().unwrap().len(), 1, "no show of the intruder's");
    let followed_now = rig.library.podcast(followed.podcast).unwrap();
    assert_eq!(followed_now.title, "Followed Show", "not renamed");
    assert_eq!(rig.library.episodes(Some(followed.podcast)).unwrap(), before.1, "nothing injected");

    // A show followed before it made the claim: its refresh may move it, but not onto another
    // subscription, and that is reported.
    rig.server.set("/quiet.xml", Route::ok(rss("Quiet", &intruder), "application/rss+xml"));
    let quiet = rig.subscribe(&rig.server.url("/quiet.xml")).unwrap();
    let more = [
        Item { guid: "x", title: "Injected", url: "http://127.0.0.1:9/x.mp3" },
        Item { guid: "y", title: "Injected too", url: "http://127.0.0.1:9/y.mp3" },
    ];
    rig.server.set("/quiet.xml", Route::ok(rss_with("Quiet", &claim, &more), "application/rss+xml"));
    let refreshed = rig.refresh(quiet.podcast);
    let message = refreshed.result.unwrap_err();
    assert!(message.contains("already follow"), "{message}");
    assert_eq!(rig.library.episodes(Some(followed.podcast)).unwrap(), before.1, "still nothing merged");
    assert_eq!(rig.library.podcast(quiet.podcast).unwrap().feed_url, rig.server.url("/quiet.xml"), "it stays");
}

fn assert_subscribe_fails(rig: &mut Rig, url: &str, expected: &str) {
    let before = rig.snapshot();
    let error = rig.subscribe(url).unwrap_err();
    assert_eq!(error, expected);
    assert_eq!(rig.snapshot(), before, "a failed subscribe must change nothing");
}

#[test]
fn bad_addresses_and_bad_answers_give_one_clear_message_and_change_nothing() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Kept", &two_items()), "application/rss+xml"));
    rig.subscribe(&rig.server.url("/feed.xml")).unwrap();

    let url = |path: &str| rig.server.url(path);
    let (missing, broken, page, looping, truncated, huge, garbage) = (
        url("/missing.xml"),
        url("/broken.xml"),
        url("/page.html"),
        url("/loop.xml"),
        url("/cut.xml"),
        url("/huge.xml"),
        url("/garbage.xml"),
    );
    rig.server.set("/broken.xml", Route::status(500, "oops"));
    rig.server.set("/page.html", Route::ok("<!DOCTYPE html><html><body>Welcome</body></html>", "text/html"));
    rig.server.set("/loop.xml", Route::redirect(302, "/loop.xml"));
    let feed = rss("Cut", &two_items());
    let mut cut = Route::ok(feed.clone(), "application/rss+xml");
    cut.drop_at = vec![feed.len() as u64 / 2];
    rig.server.set("/cut.xml", cut);
    let mut big = Route::ok("<rss/>", "application/rss+xml");
    big.claimed_length = Some(60 * 1024 * 1024);
    rig.server.set("/huge.xml", big);
    rig.server.set("/garbage.xml", Route::ok("<rss><channel><title>x</chan", "application/rss+xml"));

    assert_subscribe_fails(&mut rig, &missing, "127.0.0.1 says it isn't there (HTTP 404)");
    assert_subscribe_fails(&mut rig, &broken, "127.0.0.1 had a problem on its side (HTTP 500)");
    assert_subscribe_fails(&mut rig, &page, "That address is a web page, not a podcast feed");
    assert_subscribe_fails(&mut rig, &looping, "127.0.0.1 redirects too many times");
    assert_subscribe_fails(&mut rig, &huge, "127.0.0.1 sent more than the 50 MB Hark reads from it");
    let error = rig.subscribe(&truncated).unwrap_err();
    assert_eq!(error, "The connection to 127.0.0.1 broke off");
    let error = rig.subscribe(&garbage).unwrap_err();
    assert_eq!(error, "That address isn't a podcast feed Hark can read");
    assert_subscribe_fails(
        &mut rig,
        "file:///etc/passwd",
        "Only web addresses (http or https) can be followed, not file:///etc/passwd",
    );
    assert_subscribe_fails(
        &mut rig,
        "ftp://example.com/feed.xml",
        "Only web addresses (http or https) can be followed, not ftp://example.com/feed.xml",
    );
    assert_eq!(rig.library.podcasts().unwrap().len(), 1);
}

#[test]
fn a_feed_streamed_past_the_cap_without_a_length_is_refused() {
    let mut rig = Rig::new();
    let mut body = b"<rss version=\"2.0\"><channel><title>Big</title><description>".to_vec();
    body.resize(51 * 1024 * 1024, b'x');
    let mut route = Route::ok(body, "application/rss+xml");
    route.content_length = false;
    rig.server.set("/stream.xml", route);
    let url = rig.server.url("/stream.xml");
    assert_subscribe_fails(&mut rig, &url, "127.0.0.1 sent more than the 50 MB Hark reads from it");
}

#[test]
fn a_failed_refresh_keeps_the_episodes_and_records_the_error() {
    let mut rig = Rig::new();
    rig.server.set("/feed.xml", Route::ok(rss("Show", &two_items()), "application/rss+xml"));
    let subscribed = rig.subscribe(&rig.server.url("/feed.xml")).unwrap();
    let episodes_before = rig.library.episodes(None).unwrap();
    rig.server.set("/feed.xml", Route::status(500, "down"));
    let refreshed = rig.refresh(subscribed.podcast);
    let message = refreshed.result.unwrap_err();
    assert_eq!(message, "127.0.0.1 had a problem on its side (HTTP 500)");
    assert_eq!(rig.library.episodes(None).unwrap(), episodes_before);
    // Kept with its details: the plain line, then the address and what it answered.
    let kept = format!("{message}\n{} answered HTTP 500", rig.server.url("/feed.xml"));
    assert_eq!(rig.library.podcast(subscribed.podcast).unwrap().last_error, Some(kept));
}

#[test]
fn hostile_enclosures_never_point_outside_the_web() {
    let mut rig = Rig::new();
    let items = vec![
        Item { guid: "a", title: "Local file", url: "file:///etc/passwd" },
        Item { guid: "b", title: "Climbing", url: "../../x.mp3" },
        Item { guid: "c", title: "Protocol relative", url: "//cdn.example.net/c.mp3" },
    ];
    rig.server.set("/shows/feed.xml", Route::ok(rss("Hostile", &items), "application/rss+xml"));
    let subscribed = rig.subscribe(&rig.server.url("/shows/feed.xml")).unwrap();
    let urls: Vec<String> =
        rig.library.episodes(Some(subscribed.podcast)).unwrap().into_iter().map(|e| e.url).collect();
    assert_eq!(urls.len(), 2, "the file:// enclosure is dropped");
    assert!(urls.contains(&rig.server.url("/x.mp3")));
    assert!(urls.contains(&"http://cdn.example.net/c.mp3".to_string()));
}
