//! Everything a feed says, kept: the fallbacks and precedences other podcast apps apply, each on a
//! small feed written for it (tests/fixtures/feeds), every expected value read off the fixture.

mod common;

use std::process::Command;

use chrono::{TimeZone, Utc};
use common::server::{Route, TestServer};
use hark::feed::parse_feed;
use hark::library::Library;
use hark::model::{NewEpisode, ParsedFeed};
use url::Url;

fn parsed(name: &str) -> ParsedFeed {
    let bytes = common::fixture_bytes(&format!("feeds/{name}"));
    parse_feed(&bytes, &Url::parse("https://feeds.example.org/feed.xml").unwrap()).unwrap()
}

fn episode<'a>(feed: &'a ParsedFeed, guid: &str) -> &'a NewEpisode {
    feed.episodes.iter().find(|e| e.guid.as_deref() == Some(guid)).unwrap_or_else(|| panic!("no episode {guid}"))
}

#[test]
fn an_empty_description_hides_no_itunes_summary_for_the_show_or_the_episode() {
    let feed = parsed("summary-only.xml");
    assert_eq!(feed.podcast.description.as_deref(), Some("Stories told by the harbour master, one tide at a time."));
    assert_eq!(episode(&feed, "qh-1").notes_html.as_deref(), Some("Where the harbour master meets the night ferry."));
}

#[test]
fn a_media_thumbnail_alone_or_in_a_group_is_the_episodes_picture() {
    let feed = parsed("media-thumbnails.xml");
    assert_eq!(episode(&feed, "tt-1").image_url.as_deref(), Some("https://img.example.org/tt/alone.jpg"));
    assert_eq!(episode(&feed, "tt-2").image_url.as_deref(), Some("https://img.example.org/tt/group.jpg"));
}

#[test]
fn durations_dates_and_notes_are_read_as_other_readers_read_them() {
    let feed = parsed("durations-and-dates.xml");
    let default_ns = episode(&feed, "oc-default-ns");
    assert_eq!(default_ns.duration_secs, Some(12 * 60 + 34), "itunes:duration declared as a default namespace");
    assert_eq!(
        default_ns.published,
        Some(Utc.with_ymd_and_hms(2010, 9, 25, 1, 30, 0).unwrap()),
        "a weekday without its comma"
    );

    let junk = episode(&feed, "oc-junk");
    assert_eq!(junk.duration_secs, None, "a duration that is a URL is unknown, not a number scraped out of it");
    assert_eq!(junk.published, Some(Utc.with_ymd_and_hms(2011, 1, 3, 18, 31, 50).unwrap()), "a three-digit hour, CST");
    assert_eq!(
        junk.notes_html.as_deref(),
        Some("<p>The full notes, from content:encoded.</p>"),
        "content:encoded under a misspelt namespace URI (no trailing slash) is still the notes"
    );

    let preview = episode(&feed, "oc-preview");
    assert_eq!(preview.duration_secs, Some(83), "the alternate enclosure's duration is not the episode's");
    assert_eq!(preview.chapters_url, None, "nor its chapters");
    assert!(preview.transcripts.is_empty(), "nor its transcript");
    assert_eq!(preview.enclosure.url, "https://media.example.org/oc/preview.mp3");
    assert_eq!(preview.published, Some(Utc.with_ymd_and_hms(2011, 1, 4, 7, 0, 0).unwrap()));
}

#[test]
fn in_atom_the_content_is_the_notes_even_when_the_summary_is_longer() {
    let feed = parsed("atom-content.xml");
    assert_eq!(feed.episodes[0].notes_html.as_deref(), Some("<p>The content.</p>"));
}

#[test]
fn undated_episodes_keep_their_feed_order_and_subscribe_counts_what_the_library_holds() {
    let server = TestServer::start();
    server.set("/undated.xml", Route::ok(common::fixture_bytes("feeds/undated.xml"), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    let subscribed = hark(&["subscribe", &server.url("/undated.xml")]);
    assert!(subscribed.status.success(), "{}", String::from_utf8_lossy(&subscribed.stderr));
    let said = String::from_utf8_lossy(&subscribed.stdout);
    assert!(said.contains("(3 episodes)"), "four items, one repeated exactly: three episodes: {said}");
    let listed: serde_json::Value = serde_json::from_slice(&hark(&["episodes", "--json"]).stdout).unwrap();
    let titles: Vec<&str> = listed.as_array().unwrap().iter().map(|e| e["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["First in the feed", "Second in the feed", "Third in the feed"]);
}

/// A feed at `path` titled `title`, with one episode, that says it moved to `moved_to`.
fn moving_feed(title: &str, guid: &str, moved_to: Option<&str>) -> String {
    let moved = moved_to.map(|u| format!("<itunes:new-feed-url>{u}</itunes:new-feed-url>")).unwrap_or_default();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
        <title>{title}</title>{moved}<item><guid>{guid}</guid><title>{title} episode</title>
        <enclosure url="https://media.example.org/{guid}.mp3" type="audio/mpeg"/></item></channel></rss>"#
    )
}

#[test]
fn a_moved_feed_is_followed_at_subscribe_time_and_on_a_refresh_that_answers_304() {
    let server = TestServer::start();
    let (old, new, newest) = (server.url("/old.xml"), server.url("/new.xml"), server.url("/newest.xml"));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    let feed_url = || {
        let shows: serde_json::Value = serde_json::from_slice(&hark(&["podcasts", "--json"]).stdout).unwrap();
        shows[0]["feed_url"].as_str().unwrap().to_string()
    };

    // At subscribe time: a chain of two moves is followed to its end.
    server.set("/old.xml", Route::ok(moving_feed("Old Home", "o1", Some(&new)), "application/rss+xml"));
    server.set("/new.xml", Route::ok(moving_feed("New Home", "n1", Some(&newest)), "application/rss+xml"));
    server.set("/newest.xml", Route::ok(moving_feed("Newest Home", "w1", None), "application/rss+xml"));
    let said = hark(&["subscribe", &old]);
    assert!(said.status.success(), "{}", String::from_utf8_lossy(&said.stderr));
    assert_eq!(feed_url(), newest);
    assert!(server.requests("/newest.xml").len() == 1);

    // A followed feed that names its new home, and then answers 304 to every refresh (publishers
    // freeze the old feed): the next refresh moves the show, keeping its episodes.
    let mut library = hark::library::Library::in_memory().unwrap();
    let old_url = Url::parse(&old).unwrap();
    let claiming = parse_feed(moving_feed("Old Home", "o1", Some(&new)).as_bytes(), &old_url).unwrap();
    let (podcast, _) = library.subscribe(&old, &claiming).unwrap();
    let frozen = hark::net::refresh::FetchedFeed {
        asked: old_url.clone(),
        url: old_url,
        update: hark::feed::FeedUpdate::Unchanged { validators: Default::default(), moved_to: None },
        archive_note: None,
    };
    let refreshed = hark::net::refresh::apply_refresh(&mut library, podcast, Ok(frozen)).unwrap();
    assert!(refreshed.result.is_ok(), "{:?}", refreshed.result);
    assert_eq!(library.podcast(podcast).unwrap().feed_url, new, "moved on a 304");
    assert_eq!(library.episodes(Some(podcast)).unwrap().len(), 1, "the show keeps its episodes");
}

#[test]
fn a_serial_show_lists_part_one_first_and_trailers_are_badged_and_never_auto_downloaded() {
    let feed = parsed("serial-show.xml");
    assert!(feed.podcast.serial, "itunes:type Serial");
    let kinds: Vec<_> = feed.episodes.iter().map(|e| (e.guid.as_deref().unwrap(), e.episode_type)).collect();
    assert!(kinds.contains(&("lkd-trailer", hark::model::EpisodeType::Trailer)));
    assert!(kinds.contains(&("lkd-bonus", hark::model::EpisodeType::Bonus)));
    assert!(kinds.contains(&("lkd-part-2", hark::model::EpisodeType::Full)), "no tag is a full episode");

    let server = TestServer::start();
    server.set("/serial.xml", Route::ok(common::fixture_bytes("feeds/serial-show.xml"), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    assert!(hark(&["subscribe", &server.url("/serial.xml")]).status.success());
    let listed = |args: &[&str]| -> Vec<(String, String)> {
        let json: serde_json::Value = serde_json::from_slice(&hark(args).stdout).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|e| (e["title"].as_str().unwrap().to_string(), e["episode_type"].as_str().unwrap().to_string()))
            .collect()
    };
    let in_order = listed(&["episodes", "Lighthouse", "--json"]);
    let titles: Vec<&str> = in_order.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        titles,
        ["Coming soon", "Part 1: The keeper", "Part 2: The storm", "Behind the story", "Part 3: The last lamp"]
    );
    assert_eq!(in_order[0].1, "trailer");
    assert_eq!(in_order[3].1, "bonus");
    let newest: Vec<String> =
        listed(&["episodes", "Lighthouse", "--json", "--newest-first"]).into_iter().map(|(t, _)| t).collect();
    assert_eq!(newest[0], "Part 3: The last lamp", "--newest-first overrides the serial order");

    let mut library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    let podcast = library.podcasts().unwrap()[0].id;
    library.set_setting("auto_download_newest", "5").unwrap();
    let wanted: Vec<String> = library
        .auto_download_candidates(podcast)
        .unwrap()
        .into_iter()
        .map(|id| library.episode(id).unwrap().summary.title)
        .collect();
    assert_eq!(wanted.len(), 4, "every episode but the trailer: {wanted:?}");
    assert!(!wanted.iter().any(|t| t == "Coming soon"));
}

#[test]
fn the_window_lists_a_serial_show_from_part_one_with_its_trailer_badged() {
    use egui_kittest::kittest::Queryable;
    let (_server, _data, mut window) = window_on(&["serial-show.xml"]);
    let titles: Vec<String> = window.state().state.episodes.iter().map(|e| e.title.clone()).collect();
    assert_eq!(titles[..2], ["Coming soon".to_string(), "Part 1: The keeper".to_string()], "part one first");
    window.get_by_label("Trailer");
    window.get_by_label("Bonus");

    // The filter hides them.
    window.get_by_label("Filter episodes").click();
    window.run_steps(2);
    window.get_by_label("No trailers or bonus").click();
    window.run_steps(3);
    assert!(window.query_by_label("Trailer").is_none() && window.query_by_label("Bonus").is_none());
    assert!(window.query_by_label("Coming soon").is_none() && window.query_by_label("Behind the story").is_none());
    window.get_by_label("Part 1: The keeper");
    window.get_by_label("Part 3: The last lamp");
}

#[test]
fn a_trailer_that_a_refresh_brings_waits_in_the_inbox_unannounced() {
    let url = Url::parse("https://feeds.example.org/serial.xml").unwrap();
    let item = |guid: &str, kind: &str| {
        format!(
            "<item><guid>{guid}</guid><title>{guid}</title><itunes:episodeType>{kind}</itunes:episodeType>\
             <enclosure url=\"https://media.example.org/{guid}.mp3\" type=\"audio/mpeg\"/></item>"
        )
    };
    let feed = |items: &[String]| {
        let xml = format!(
            r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
            <title>Season Two Soon</title>{}</channel></rss>"#,
            items.concat()
        );
        parse_feed(xml.as_bytes(), &url).unwrap()
    };
    let mut library = Library::in_memory().unwrap();
    let before = Utc::now().timestamp() - 1;
    let first = [item("s1e1", "full")];
    let (podcast, _) = library.subscribe(url.as_str(), &feed(&first)).unwrap();
    // Arrivals are told apart by the second they came in.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let later = [item("s2-trailer", "trailer"), item("s1e2", "full"), first[0].clone()];
    library.sync(podcast, &feed(&later)).unwrap();
    let announced: Vec<String> = library.arrived_after(before).unwrap().into_iter().map(|e| e.episode.title).collect();
    assert_eq!(announced, ["s1e2"], "the trailer is not announced");
    let inbox: Vec<String> = library.inbox().unwrap().into_iter().map(|e| e.episode.title).collect();
    assert!(inbox.contains(&"s2-trailer".to_string()), "but it is in the Inbox: {inbox:?}");
}

/// One page of a paged feed (RFC 5005): its items, and where the archive goes on.
fn page(numbers: std::ops::RangeInclusive<u32>, next: Option<&str>) -> String {
    let next = next.map(|url| format!(r#"<atom:link rel="next" href="{url}"/>"#)).unwrap_or_default();
    let items: String = numbers
        .map(|n| {
            format!(
                "<item><guid>p{n}</guid><title>Episode {n}</title><pubDate>Mon, {n:02} Jan 2024 10:00:00 GMT</pubDate>\
                 <enclosure url=\"https://media.example.org/p/{n}.mp3\" type=\"audio/mpeg\"/></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
        <title>Paged Archive</title>{next}{items}</channel></rss>"#
    )
}

#[test]
fn a_paged_feed_gives_its_whole_archive_at_subscribe_time_and_a_loop_ends_with_one_line() {
    let server = TestServer::start();
    let rss = "application/rss+xml";
    server.set("/page1.xml", Route::ok(page(20..=21, Some(&server.url("/page2.xml"))), rss));
    server.set("/page2.xml", Route::ok(page(10..=11, Some(&server.url("/page3.xml"))), rss));
    server.set("/page3.xml", Route::ok(page(1..=1, None), rss));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    let said = hark(&["subscribe", &server.url("/page1.xml")]);
    assert!(said.status.success());
    let said = String::from_utf8_lossy(&said.stdout).to_string();
    assert_eq!(said.trim(), "Subscribed to \"Paged Archive\" (5 episodes)");
    // Refreshes read the first page only, as gPodder does.
    assert!(hark(&["refresh"]).status.success());
    assert_eq!(server.requests("/page1.xml").len(), 2);
    assert_eq!(server.requests("/page2.xml").len(), 1);

    // Pages that loop back: read once each, and one line says so.
    server.set("/loop1.xml", Route::ok(page(5..=6, Some(&server.url("/loop2.xml"))), rss));
    server.set("/loop2.xml", Route::ok(page(3..=4, Some(&server.url("/loop1.xml"))), rss));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output().unwrap()
    };
    let looped = hark(&["subscribe", &server.url("/loop1.xml")]);
    assert!(looped.status.success());
    let said = String::from_utf8_lossy(&looped.stdout).to_string();
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("(4 episodes)") && said.contains("loop"), "{said}");
    assert_eq!(server.requests("/loop1.xml").len(), 1);

    // A next page on another host is not read.
    let elsewhere = server.url("/page3.xml").replace("127.0.0.1", "localhost");
    server.set("/away.xml", Route::ok(page(7..=7, Some(&elsewhere)), rss));
    let away = hark(&["subscribe", &server.url("/away.xml")]);
    let said = String::from_utf8_lossy(&away.stdout).to_string();
    assert!(said.contains("(1 episodes)") && said.contains("another host"), "{said}");
}

#[test]
fn a_payment_link_is_a_way_to_support_the_show() {
    let feed = br#"<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
        <title>Tip Jar Radio</title>
        <atom:link rel="payment" href="https://pay.example.org/tipjar" type="text/html"/>
        <atom:link rel="payment" href="javascript:alert(1)"/>
        <item><guid>t1</guid><title>One</title><enclosure url="https://media.example.org/t/1.mp3" type="audio/mpeg"/></item>
        </channel></rss>"#;
    let parsed = parse_feed(feed, &Url::parse("https://feeds.example.org/tipjar.xml").unwrap()).unwrap();
    let funding: Vec<(&str, &str)> =
        parsed.podcast.related.funding.iter().map(|l| (l.url.as_str(), l.text.as_str())).collect();
    assert_eq!(funding, [("https://pay.example.org/tipjar", "Support the show")], "http(s) only");
}

#[test]
fn how_often_a_feed_says_it_changes_is_read_from_either_namespace_and_kept() {
    let item = r#"<item><guid>w1</guid><title>One</title><enclosure url="https://media.example.org/w/1.mp3" type="audio/mpeg"/></item>"#;
    let feed = |channel: &str| {
        format!(
            r#"<?xml version="1.0"?><rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
            xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel><title>Weekly</title>{channel}{item}</channel></rss>"#
        )
    };
    let url = Url::parse("https://feeds.example.org/weekly.xml").unwrap();
    let every = |channel: &str| parse_feed(feed(channel).as_bytes(), &url).unwrap().podcast.update_every_secs;
    assert_eq!(
        every("<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"),
        Some(43_200)
    );
    assert_eq!(
        every(r#"<podcast:updateFrequency rrule="FREQ=WEEKLY">Weekly</podcast:updateFrequency>"#),
        Some(604_800)
    );
    assert_eq!(
        every(r#"<sy:updatePeriod>hourly</sy:updatePeriod><podcast:updateFrequency rrule="FREQ=DAILY"/>"#),
        Some(86_400),
        "the longer of the two"
    );
    assert_eq!(every("<sy:updatePeriod>sometimes</sy:updatePeriod>"), None);
    assert_eq!(every(""), None);

    let mut library = Library::in_memory().unwrap();
    let weekly = parse_feed(feed(r#"<podcast:updateFrequency rrule="FREQ=WEEKLY"/>"#).as_bytes(), &url).unwrap();
    library.subscribe(url.as_str(), &weekly).unwrap();
    let timers = library.refresh_timers().unwrap();
    assert_eq!(timers[0].update_every_secs, Some(604_800), "kept for the refresh timer");
}

/// The window on a library subscribed to the fixtures `names` (served on loopback), the first
/// show selected; the server and the data folder live as long as the test keeps them.
fn window_on(names: &[&str]) -> (TestServer, tempfile::TempDir, egui_kittest::Harness<'static, hark::app::HarkApp>) {
    common::init();
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = Library::open(&data.path().join("library.sqlite3")).unwrap();
    for name in names {
        server.set(
            &format!("/{name}"),
            Route::ok(common::fixture_bytes(&format!("feeds/{name}")), "application/rss+xml"),
        );
        common::subscribe(&mut library, &server.url(&format!("/{name}")));
    }
    library.set_setting("demo_offered", "1").unwrap();
    drop(library);
    let window = launch(data.path());
    (server, data, window)
}

/// The window on the library in `data`.
fn launch(data: &std::path::Path) -> egui_kittest::Harness<'static, hark::app::HarkApp> {
    let paths = hark::paths::AppPaths::inside(data);
    let options = hark::app::AppOptions {
        audio: hark::player::OutputChoice::Null,
        timed_refresh: false,
        media_keys: false,
        directories: None,
    };
    let mut window = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| hark::app::HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    window.run_steps(4);
    window
}

#[test]
fn a_sort_chosen_for_one_show_is_kept_for_that_show_alone_across_launches() {
    use egui_kittest::kittest::Queryable;
    let (_server, data, mut window) = window_on(&["serial-show.xml", "credits.xml"]);
    let open = |window: &mut egui_kittest::Harness<'static, hark::app::HarkApp>, show: &str| {
        // The list's row (the header names the selected show too).
        window.query_all_by_label(show).next().expect("the show is listed").click();
        window.run_steps(3);
    };
    let first_title = |window: &egui_kittest::Harness<'static, hark::app::HarkApp>| {
        let state = &window.state().state;
        let rows =
            hark::ui::episode_list::arrange(&state.episodes, state.episode_list.sort, state.episode_list.filter, "");
        state.episodes[rows[0]].title.clone()
    };
    open(&mut window, "The Lighthouse Keeper's Daughter");
    assert_eq!(first_title(&window), "Coming soon", "the serial show's own order");
    window.get_by_label("Sort episodes").click();
    window.run_steps(2);
    window.get_by_label("Newest first").click();
    window.run_steps(3);
    assert_eq!(first_title(&window), "Part 3: The last lamp");

    open(&mut window, "Canal Walks");
    assert_eq!(
        window.state().state.episode_list.sort,
        hark::ui::episode_list::Sort::Feed,
        "another show keeps its own"
    );
    open(&mut window, "The Lighthouse Keeper's Daughter");
    assert_eq!(first_title(&window), "Part 3: The last lamp", "kept for the serial show");

    drop(window);
    let mut window = launch(data.path());
    open(&mut window, "The Lighthouse Keeper's Daughter");
    assert_eq!(first_title(&window), "Part 3: The last lamp", "and at the next launch");
}

#[test]
fn funding_people_subtitles_authors_and_permalinks_reach_the_cli_json() {
    let server = TestServer::start();
    server.set("/canal.xml", Route::ok(common::fixture_bytes("feeds/credits.xml"), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let hark = |args: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_hark")).arg("--data-dir").arg(data.path()).args(args).output();
        let out = out.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    };
    hark(&["subscribe", &server.url("/canal.xml")]);

    let show = &hark(&["podcasts", "--json"])[0];
    assert_eq!(show["subtitle"], "Two friends, one towpath, every lock on the network.");
    assert_eq!(
        show["funding"],
        serde_json::json!([
            {"url": "https://members.canalwalks.example.net/join", "title": "Become a lock keeper"},
            {"url": "https://tips.canalwalks.example.net/jar", "title": "Support the show"},
        ])
    );
    let person = |name: &str, role: &str, page: Option<(&str, &str)>| {
        let (href, img) = page.unzip();
        serde_json::json!({"name": name, "role": role, "href": href, "img": img})
    };
    let ines = ("https://canalwalks.example.net/ines", "https://canalwalks.example.net/ines.jpg");
    assert_eq!(
        show["persons"],
        serde_json::json!([person("Ines Varga", "host", Some(ines)), person("Tom Aldous", "host", None)]),
        "people without a page too; roles as the namespace writes them"
    );

    let episodes = hark(&["episodes", "Canal", "--json"]);
    let by_title = |title: &str| episodes.as_array().unwrap().iter().find(|e| e["title"] == title).unwrap().clone();
    let flight = by_title("The flight of sixteen locks");
    assert_eq!(flight["subtitle"], "Up the hill, one chamber at a time.", "not the alternate enclosure's");
    assert_eq!(flight["author"], "Ines Varga");
    assert_eq!(flight["episode_type"], "full");
    let rosa = ("https://lockkeepers.example.org/rosa", "https://lockkeepers.example.org/rosa.png");
    assert_eq!(
        flight["persons"],
        serde_json::json!([person("Rosa Penhale", "guest", Some(rosa)), person("Dai Morgan", "guest", None)]),
        "a javascript: page is no page; a person without a name and the paid version's guest are nobody"
    );
    assert_eq!(flight["link"], "https://canalwalks.example.net/walks/14-the-flight", "a permalink guid");
    let tunnels = by_title("Tunnels");
    assert_eq!(tunnels["link"], serde_json::Value::Null, "isPermaLink=\"false\" is no page");
    assert_eq!(
        (tunnels["subtitle"].clone(), tunnels["persons"].clone()),
        (serde_json::Value::Null, serde_json::json!([]))
    );
    assert_eq!(by_title("Aqueducts")["link"], "https://canalwalks.example.net/episodes/12", "<link> wins");
}

#[test]
fn the_show_page_offers_support_and_names_its_people_and_the_episode_page_its_guests() {
    use egui_kittest::kittest::Queryable;
    let (_server, _data, mut window) = window_on(&["credits.xml"]);

    let show = window.state().state.show.clone().expect("the show is selected");
    assert_eq!(show.subtitle.as_deref(), Some("Two friends, one towpath, every lock on the network."));
    assert_eq!(show.related.funding.len(), 2);
    window.get_by_label("Two friends, one towpath, every lock on the network.");
    window.get_by_label("Support the show");
    window.get_by_label("Ines Varga");
    window.get_by_label("Tom Aldous");

    window.get_by_label("The flight of sixteen locks").click();
    window.run_steps(3);
    let credits = window.state().state.episode_page.as_ref().expect("the episode opened").episode.credits.clone();
    assert_eq!(credits.author.as_deref(), Some("Ines Varga"));
    let guests: Vec<_> = credits.persons.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(guests, ["Rosa Penhale", "Dai Morgan"]);
    window.get_by_label("Up the hill, one chamber at a time.");
    window.get_by_label("Rosa Penhale");
    assert_eq!(window.query_all_by_label("Guest:").count(), 2, "each guest with their role");
    window.get_by_label("Episode web page");
}
