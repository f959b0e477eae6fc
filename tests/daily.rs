//! The daily flow without a window: `hark config`, the Inbox as `hark inbox` sees it, the refresh
//! timer against a real loopback server (its request times checked there), and keep-N.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::cli::{hark, stderr, stdout};
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::library::Library;
use hark::model::{EpisodeId, PodcastId};
use hark::net::{NetCommand, NetService, OnStart};

#[test]
fn hark_config_lists_prints_and_sets_each_setting_and_refuses_in_one_line() {
    let data = tempfile::tempdir().unwrap();
    let listed = stdout(&hark(data.path(), &["config"]));
    let lines: Vec<Vec<&str>> = listed.lines().map(|l| l.split_whitespace().collect()).collect();
    assert!(lines.contains(&vec!["skip-back", "10"]), "{listed}");
    assert!(lines.contains(&vec!["skip-forward", "30"]), "{listed}");
    assert!(lines.contains(&vec!["refresh-interval", "1h"]), "{listed}");
    assert!(lines.contains(&vec!["notifications", "on"]), "{listed}");

    assert!(hark(data.path(), &["config", "skip-forward", "45"]).status.success());
    assert!(hark(data.path(), &["config", "refresh-interval", "1m"]).status.success());
    assert!(hark(data.path(), &["config", "notifications", "off"]).status.success());
    assert_eq!(stdout(&hark(data.path(), &["config", "skip-forward"])).trim(), "45");
    let json: serde_json::Value = serde_json::from_str(&stdout(&hark(data.path(), &["config", "--json"]))).unwrap();
    assert_eq!(json["skip-forward"], 45);
    assert_eq!(json["skip-back"], 10);
    assert_eq!(json["refresh-interval"], "1m");
    assert_eq!(json["notifications"], "off");

    let refused = hark(data.path(), &["config", "refresh-interval", "10s"]);
    assert!(!refused.status.success());
    assert_eq!(
        stderr(&refused).trim(),
        "error: refresh-interval cannot be \"10s\": it takes off, or a time from 1m to 24h (such as 15m, 1h, 6h)"
    );
    let unknown = hark(data.path(), &["config", "skip-fwd", "10"]);
    assert!(!unknown.status.success());
    let line = stderr(&unknown);
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(line.contains("no setting \"skip-fwd\"") && line.contains("skip-forward"), "{line}");
    assert_eq!(stdout(&hark(data.path(), &["config", "refresh-interval"])).trim(), "1m", "kept");
}

fn items(count: usize) -> Vec<Item<'static>> {
    const TITLES: [&str; 6] = ["Ep 1", "Ep 2", "Ep 3", "Ep 4", "Ep 5", "Ep 6"];
    const GUIDS: [&str; 6] = ["g1", "g2", "g3", "g4", "g5", "g6"];
    (0..count).map(|i| Item { guid: GUIDS[i], title: TITLES[i], url: "http://127.0.0.1:9/a.mp3" }).collect()
}

fn inbox_titles(data: &Path) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(&stdout(&hark(data, &["inbox", "--json"]))).unwrap();
    json.as_array().unwrap().iter().map(|e| e["episode_title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn the_inbox_holds_a_new_shows_newest_episode_then_what_refreshes_bring_until_dismissed() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    server.set("/show.xml", Route::ok(rss("Daily Show", &items(3)), "application/rss+xml"));
    assert!(hark(data.path(), &["subscribe", &server.url("/show.xml")]).status.success());
    assert_eq!(inbox_titles(data.path()), ["Ep 3"], "a new subscription does not flood the Inbox");

    server.set("/show.xml", Route::ok(rss("Daily Show", &items(5)), "application/rss+xml"));
    assert!(hark(data.path(), &["refresh"]).status.success());
    assert_eq!(inbox_titles(data.path()), ["Ep 5", "Ep 4", "Ep 3"], "newest first");
    let json: serde_json::Value = serde_json::from_str(&stdout(&hark(data.path(), &["inbox", "--json"]))).unwrap();
    let first = &json[0];
    assert_eq!(first["podcast_title"], "Daily Show");
    assert_eq!(first["duration_secs"], 60);
    assert!(first["episode_id"].is_i64() && first["podcast_id"].is_i64(), "{first}");
    assert!(first["published"].as_str().unwrap().starts_with("2024-01-05"), "{first}");

    let dismissed = hark(data.path(), &["inbox", "--dismiss", "Ep 4"]);
    assert!(dismissed.status.success(), "{}", stderr(&dismissed));
    assert_eq!(inbox_titles(data.path()), ["Ep 5", "Ep 3"]);
    // Listening to one takes it out, as dismissing does.
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    let ep5 = library.find_episode("Ep 5").unwrap();
    library.set_position(ep5, 12.0).unwrap();
    drop(library);
    assert_eq!(inbox_titles(data.path()), ["Ep 3"]);
    assert!(hark(data.path(), &["inbox", "--dismiss", "all"]).status.success());
    assert!(inbox_titles(data.path()).is_empty());
    assert!(stdout(&hark(data.path(), &["inbox"])).contains("The Inbox is empty"));
}

/// Shows subscribed from `server`, last refreshed a day ago (so the timer wants them at once).
fn library_of(data: &Path, server: &TestServer, names: &[&str]) -> Vec<PodcastId> {
    common::init();
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    for name in names {
        let path = format!("/{name}.xml");
        server.set(&path, Route::ok(rss(name, &items(1)), "application/rss+xml").with_etag(&format!("\"{name}-1\"")));
        common::subscribe(&mut library, &server.url(&path));
    }
    let day_ago = chrono::Utc::now().timestamp() - 86_400;
    rusqlite::Connection::open(data.join("library.sqlite3"))
        .unwrap()
        .execute("UPDATE podcasts SET last_refresh = ?1", [day_ago])
        .unwrap();
    library.podcasts().unwrap().iter().map(|p| p.id).collect()
}

/// The net service with its timer set to a second (shorter than the preference allows, to see
/// backoffs in seconds), and when it was set.
fn refreshing_every_second(data: &Path) -> (NetService, Instant) {
    let (events_tx, _events) = channel();
    let paths = hark::paths::AppPaths::inside(data);
    let net = NetService::spawn(paths, events_tx, Arc::new(hark::NoWaker), OnStart::Idle).unwrap();
    net.send(NetCommand::SetRefreshInterval(Some(Duration::from_secs(1))));
    (net, Instant::now())
}

/// Gaps between the feed's requests after `since`, in seconds.
fn gaps(server: &TestServer, path: &str, since: Instant) -> Vec<f64> {
    let times: Vec<Instant> = server.requests(path).iter().map(|r| r.at).filter(|at| *at >= since).collect();
    times.windows(2).map(|pair| (pair[1] - pair[0]).as_secs_f64()).collect()
}

#[test]
fn on_the_timer_a_failing_feed_backs_off_while_a_healthy_one_keeps_its_interval() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    library_of(data.path(), &server, &["healthy", "failing"]);
    server.set("/failing.xml", Route::status(500, "down for maintenance"));
    let (net, started) = refreshing_every_second(data.path());
    std::thread::sleep(Duration::from_millis(7_800));
    drop(net);

    let failing = gaps(&server, "/failing.xml", started);
    // Due at once (a day old), then 2 s after one failure, 4 s after two (each + up to 10 %).
    assert_eq!(failing.len(), 2, "{failing:?}");
    assert!((2.0..2.4).contains(&failing[0]) && (4.0..4.6).contains(&failing[1]), "{failing:?}");
    let healthy = gaps(&server, "/healthy.xml", started);
    assert!(healthy.len() >= 5, "about once a second: {healthy:?}");
    assert!(healthy.iter().all(|gap| (1.0..1.4).contains(gap)), "{healthy:?}");
    let requests = server.requests("/healthy.xml");
    assert!(requests.iter().skip(1).all(|r| r.header("if-none-match") == Some("\"healthy-1\"")), "conditional");
    let library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    let failing_row = library.podcasts().unwrap().into_iter().find(|p| p.title == "failing").unwrap();
    assert!(failing_row.last_error.as_deref().is_some_and(|e| e.contains("500")), "{:?}", failing_row.last_error);
}

#[test]
fn offline_the_timer_tries_one_show_at_a_time_and_catches_up_when_the_network_is_back() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let names = ["a", "b", "c", "d"];
    library_of(data.path(), &server, &names);
    for name in names {
        server.set(&format!("/{name}.xml"), Route::status(503, "no route"));
    }
    let (net, started) = refreshing_every_second(data.path());
    std::thread::sleep(Duration::from_millis(4_500));
    let count = |since: Instant| {
        names
            .iter()
            .map(|n| server.requests(&format!("/{n}.xml")).iter().filter(|r| r.at >= since).count())
            .sum::<usize>()
    };
    let offline_requests = count(started);
    // The first round (4), then one show a second: not four a second, and not growing backoffs.
    assert!((6..=9).contains(&offline_requests), "{offline_requests} requests in 4.5 s offline");

    for name in names {
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &items(2)), "application/rss+xml"));
    }
    let back = Instant::now();
    std::thread::sleep(Duration::from_millis(1_900));
    drop(net);
    for name in names {
        let path = format!("/{name}.xml");
        assert!(server.requests(&path).iter().any(|r| r.at >= back), "{name} caught up once the network was back");
    }
    let library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    assert_eq!(library.inbox().unwrap().iter().filter(|e| e.episode.title == "Ep 2").count(), 4);
}

#[test]
fn keep_n_takes_played_downloads_first_oldest_first_and_never_one_in_up_next_or_part_heard() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    server.set("/keep.xml", Route::ok(rss("Keep", &items(6)), "application/rss+xml"));
    common::init();
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/keep.xml"));
    let id = |library: &Library, title: &str| library.find_episode(title).unwrap();
    let downloads = data.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    for n in 1..=6 {
        let episode = id(&library, &format!("Ep {n}"));
        let file = downloads.join(format!("{n}.mp3"));
        std::fs::write(&file, b"audio").unwrap();
        library.set_downloaded(episode, Some(&file)).unwrap();
    }
    library.set_played(id(&library, "Ep 5"), true).unwrap();
    library.set_played(id(&library, "Ep 2"), true).unwrap();
    library.set_position(id(&library, "Ep 1"), 30.0).unwrap();
    library.set_queue(&[id(&library, "Ep 3")]).unwrap();
    let podcast = library.episode(id(&library, "Ep 1")).unwrap().summary.podcast_id;

    let titles = |ids: Vec<EpisodeId>, library: &Library| -> Vec<String> {
        ids.into_iter().map(|e| library.episode(e).unwrap().summary.title).collect()
    };
    assert_eq!(titles(library.downloads_past(podcast, 3).unwrap(), &library), ["Ep 2", "Ep 5", "Ep 4"]);
    assert_eq!(titles(library.downloads_past(podcast, 5).unwrap(), &library), ["Ep 2"]);
    assert!(library.downloads_past(podcast, 6).unwrap().is_empty());
    let at_most = titles(library.downloads_past(podcast, 0).unwrap(), &library);
    assert_eq!(at_most, ["Ep 2", "Ep 5", "Ep 4", "Ep 6"], "Ep 1 is part heard, Ep 3 in Up Next");
}

#[test]
fn what_is_announced_is_what_refreshes_brought_to_shows_that_want_it_not_a_new_subscription() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let before = chrono::Utc::now().timestamp() - 1;
    for name in ["loud", "quiet"] {
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &items(1)), "application/rss+xml"));
        assert!(hark(data.path(), &["subscribe", &server.url(&format!("/{name}.xml"))]).status.success());
    }
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    assert!(library.arrived_after(before).unwrap().is_empty(), "a new subscription's first episode is not news");
    let quiet = library.podcasts().unwrap().into_iter().find(|p| p.title == "quiet").unwrap().id;
    library.set_notify(quiet, false).unwrap();
    assert!(!library.podcast(quiet).unwrap().notify);
    // Arrivals are told apart by the second they came in.
    std::thread::sleep(Duration::from_millis(1_100));
    for name in ["loud", "quiet"] {
        server.set(&format!("/{name}.xml"), Route::ok(rss(name, &items(2)), "application/rss+xml"));
    }
    assert!(hark(data.path(), &["refresh"]).status.success());
    let announced: Vec<(String, String)> =
        library.arrived_after(before).unwrap().into_iter().map(|e| (e.podcast_title, e.episode.title)).collect();
    assert_eq!(announced, [("loud".to_string(), "Ep 2".to_string())]);
    assert_eq!(library.inbox_count().unwrap(), 4, "the Inbox has both shows' news all the same");
}

#[test]
fn new_episodes_are_not_downloaded_by_themselves_on_a_metered_connection() {
    let server = TestServer::start();
    server.set("/audio.mp3", Route::ok(common::fixture_bytes("tone-cbr.mp3"), "audio/mpeg"));
    let audio = server.url("/audio.mp3");
    let feed = |count: usize| {
        let items: Vec<Item> = items(count).into_iter().map(|item| Item { url: &audio, ..item }).collect();
        Route::ok(rss("Metered Show", &items), "application/rss+xml")
    };
    let data = tempfile::tempdir().unwrap();
    server.set("/m.xml", feed(1));
    assert!(hark(data.path(), &["subscribe", &server.url("/m.xml")]).status.success());
    assert!(hark(data.path(), &["config", "auto-download", "1"]).status.success());
    let bus = common::bus::private_bus();
    let refresh = |metered: u32, count: usize| {
        let _network_manager = common::bus::network_manager(&bus, metered);
        server.set("/m.xml", feed(count));
        std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
            .arg("--data-dir")
            .arg(data.path())
            .arg("refresh")
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .output()
            .unwrap()
    };
    let held = refresh(1, 2);
    assert!(held.status.success(), "{}", stderr(&held));
    assert!(stdout(&held).contains("1 new episodes not downloaded: the connection is metered"), "{}", stdout(&held));
    assert_eq!(server.requests("/audio.mp3").len(), 0, "nothing downloaded");

    let fetched = refresh(2, 3);
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert!(!server.requests("/audio.mp3").is_empty(), "not metered: the newest is downloaded");
    let library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    let newest = library.find_episode("Ep 3").unwrap();
    assert!(library.episode(newest).unwrap().summary.downloaded);
}
