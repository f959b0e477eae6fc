//! The real window (HarkApp) driven through egui_kittest: widgets found by their labels and
//! clicked, frames run, then the app state, the engine and the library are checked.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use common::window::{run_until, test_options};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hark::app::{AppOptions, HarkApp};
use hark::library::Library;
use hark::paths::AppPaths;

fn app(data: &Path) -> Harness<'static, HarkApp> {
    app_with(data, test_options())
}

fn app_with(data: &Path, options: AppOptions) -> Harness<'static, HarkApp> {
    common::window::app_sized(data, egui::vec2(1280.0, 800.0), options)
}

fn items() -> Vec<Item<'static>> {
    vec![
        Item { guid: "one", title: "Opening Night", url: "http://127.0.0.1:9/one.mp3" },
        Item { guid: "two", title: "Second Act", url: "http://127.0.0.1:9/two.mp3" },
    ]
}

fn subscribe(data: &Path, server: &TestServer, path: &str, title: &str) -> Library {
    server.set(path, Route::ok(rss(title, &items()), "application/rss+xml"));
    subscribe_url(data, &server.url(path))
}

/// A library in `data` subscribed to the feed at `url`, as `hark subscribe` leaves it.
fn subscribe_url(data: &Path, url: &str) -> Library {
    common::init();
    std::fs::create_dir_all(data).unwrap();
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(hark::net::refresh::subscribe(&hark::http::client(), &mut library, url)).unwrap();
    library
}

#[test]
fn the_window_shows_the_show_its_episodes_and_the_selected_notes() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe(data.path(), &server, "/feed.xml", "Theatre Talk");
    let mut harness = app(data.path());
    harness.run_steps(3);
    assert!(harness.query_all_by_label("Theatre Talk").count() >= 1, "the show's title");
    harness.get_by_label("Opening Night");
    harness.get_by_label("Second Act");
    assert!(harness.query_by_label("Hark Demo").is_none(), "no demo once the library has a show");

    harness.get_by_label("Second Act").click();
    harness.run_steps(3);
    harness.get_by_label("Notes of Second Act");
    harness.get_by_label("First point at ");
    harness.get_by_label("0:30");
    let page = harness.state().state.episode_page.as_ref().expect("an episode page");
    assert_eq!(page.episode.summary.title, "Second Act");
}

#[test]
fn the_first_launch_shows_the_demo_show_with_downloaded_episodes() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(3);
    assert!(harness.query_all_by_label("Hark Demo").count() >= 1);
    harness.get_by_label("The spoken clock").click();
    harness.run_steps(3);
    harness.get_by_label("A clock you can hear");
    let episodes = harness.state().library().episodes(None).unwrap();
    assert_eq!(episodes.len(), 3);
    for episode in episodes {
        let path = episode.path.expect("demo episodes count as downloaded");
        assert!(Path::new(&path).starts_with(data.path()), "{path} is inside the data dir");
        assert!(Path::new(&path).is_file());
    }
}

#[test]
fn the_add_podcast_box_subscribes_in_the_background() {
    let server = TestServer::start();
    server.set("/added.xml", Route::ok(rss("Added From The Box", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text(&server.url("/added.xml"));
    harness.run_steps(1);
    harness.get_by_label("Add").click();
    run_until(&mut harness, "the subscription", |h| h.query_by_label("Opening Night").is_some());
    assert!(harness.query_all_by_label("Added From The Box").count() >= 1);
    let notice = harness.state().state.notice.clone().unwrap();
    assert_eq!(notice.text, "Subscribed to \"Added From The Box\" (2 episodes)");
    let podcasts = harness.state().library().podcasts().unwrap();
    assert!(podcasts.iter().any(|p| p.title == "Added From The Box"));

    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text(&server.url("/missing.xml"));
    harness.run_steps(1);
    harness.get_by_label("Add").click();
    run_until(&mut harness, "the error", |h| h.state().state.add_podcast.error.is_some());
    // One plain line, under the box it was typed in, and nowhere else.
    harness.run_steps(1);
    harness.get_by_label("⚠ 127.0.0.1 says it isn't there (HTTP 404)");
    assert!(!harness.state().state.notice.as_ref().is_some_and(|n| n.is_error), "{:?}", harness.state().state.notice);
}

#[test]
fn play_skip_and_rewind_from_the_transport_bar() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = subscribe(data.path(), &server, "/feed.xml", "Tones");
    let episode = library.episodes(None).unwrap().into_iter().find(|e| e.title == "Opening Night").unwrap();
    let path = data.path().join("downloads").join("tone.mp3");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(common::fixture("tone-cbr.mp3"), &path).unwrap();
    library.set_downloaded(episode.id, Some(&path)).unwrap();
    drop(library);

    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Opening Night").click();
    harness.run_steps(6);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "playback", |h| h.state().listening().player().position_secs() > 1.0);
    harness.get_by_label("Skip 30 seconds").click();
    // The engine thread takes the seek a moment later.
    run_until(&mut harness, "the skip", |h| h.state().listening().player().position_secs() > 20.0);
    let position = harness.state().listening().player().position_secs();
    assert!((31.0..33.0).contains(&position), "after skipping: {position}");
    harness.get_by_label("Rewind 10 seconds").click();
    run_until(&mut harness, "the rewind", |h| h.state().listening().player().position_secs() < 30.0);
    let position = harness.state().listening().player().position_secs();
    assert!((21.0..23.0).contains(&position), "after rewinding: {position}");
    let saved = harness.state().library().episode(episode.id).unwrap().summary.position_secs;
    assert!((saved - position).abs() < 1.0, "saved {saved}, engine at {position}");

    harness.get_by_label("Pause").click();
    run_until(&mut harness, "pause", |h| h.state().listening().player().is_paused());
    harness.run_steps(2);
    let paused_at = harness.state().listening().player().position_secs();
    let saved = harness.state().library().episode(episode.id).unwrap().summary.position_secs;
    assert!((saved - paused_at).abs() < 0.3, "saved {saved} on pause, engine at {paused_at}");
}

#[test]
fn keyboard_shortcuts_drive_the_player_and_are_listed_in_help() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("The spoken clock").click();
    harness.run_steps(6);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "playback", |h| h.state().listening().player().position_secs() > 0.5);
    harness.key_press(egui::Key::ArrowRight);
    run_until(&mut harness, "the skip", |h| h.state().listening().player().position_secs() > 20.0);
    let position = harness.state().listening().player().position_secs();
    assert!((30.5..33.0).contains(&position), "Right skips 30 s: {position}");
    harness.key_press(egui::Key::ArrowLeft);
    run_until(&mut harness, "the rewind", |h| h.state().listening().player().position_secs() < 29.0);
    let position = harness.state().listening().player().position_secs();
    assert!((20.5..23.0).contains(&position), "Left rewinds 10 s: {position}");
    harness.key_press(egui::Key::CloseBracket);
    harness.run_steps(1);
    assert!((harness.state().state.transport.speed - 1.1).abs() < 1e-4);
    harness.key_press(egui::Key::Space);
    run_until(&mut harness, "pause by Space", |h| h.state().listening().player().is_paused());

    // Volume on Ctrl+Up/Down; the plain arrows belong to the lists.
    let volume = |h: &Harness<'_, HarkApp>| h.state().state.transport.volume;
    let before = volume(&harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::ArrowDown);
    run_until(&mut harness, "the volume down", |h| volume(h) < before - 0.04);
    harness.key_press(egui::Key::ArrowDown);
    harness.run_steps(3);
    assert!((volume(&harness) - (before - 0.05)).abs() < 1e-4, "plain Down leaves the volume");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::ArrowUp);
    run_until(&mut harness, "the volume back up", |h| (volume(h) - before).abs() < 1e-4);

    // N for the next in Up Next, P back to the one before.
    harness.get_by_label("Offline by design").click();
    harness.run_steps(3);
    harness.get_by_label("Add to Up Next").click();
    harness.run_steps(2);
    let playing = |h: &Harness<'_, HarkApp>, title: &str| {
        h.state().state.transport.playback.track().is_some_and(|t| t.title == title)
    };
    harness.key_press(egui::Key::N);
    run_until(&mut harness, "the next episode by N", |h| playing(h, "Offline by design"));
    harness.key_press(egui::Key::P);
    run_until(&mut harness, "the previous episode by P", |h| playing(h, "The spoken clock"));

    harness.get_by_label("Help").click();
    harness.run_steps(3);
    harness.get_by_label("Keyboard shortcuts").click();
    harness.run_steps(3);
    assert!(harness.state().state.show_shortcuts, "the shortcuts window is open");
    harness.get_by_label("Play / pause");
    assert_eq!(harness.query_all_by_label("Skip 30 seconds").count(), 2, "the button and the help line");
    harness.get_by_label("Slower / faster (0.1× steps)");
    harness.get_by_label("Volume up / down");
    harness.get_by_label("Ctrl+Up  Ctrl+Down");
    harness.get_by_label("Next / previous pane: shows, episodes, episode page");
}

/// A subscribed show whose one episode, `title`, is the tone fixture served at `bytes_per_sec`.
fn show_with_slow_audio(title: &str, bytes_per_sec: u64) -> (TestServer, Vec<u8>, tempfile::TempDir) {
    let server = TestServer::start();
    let audio = common::fixture_bytes("tone-cbr.mp3");
    let mut route = Route::ok(audio.clone(), "audio/mpeg");
    route.throttle = Some(bytes_per_sec);
    server.set("/audio.mp3", route);
    let url = server.url("/audio.mp3");
    let items = [Item { guid: "slow", title, url: &url }];
    server.set("/feed.xml", Route::ok(rss("Slow Show", &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/feed.xml"));
    (server, audio, data)
}

#[test]
fn clicking_download_shows_progress_and_ends_with_the_episode_downloaded() {
    let (_server, audio, data) = show_with_slow_audio("Downloadable", 80_000);
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Downloadable").click();
    harness.run_steps(6);
    harness.get_by_label("⬇ Download").click();
    run_until(&mut harness, "download progress", |h| {
        h.state().state.downloads.values().any(|d| matches!(d.state, hark::ui::DownloadState::Running { .. }))
    });
    harness.run_steps(1);
    assert!(harness.query_all_by_label_contains("%").count() >= 1, "a progress bar with a percentage");
    run_until(&mut harness, "the finished download", |h| h.state().library().episodes(None).unwrap()[0].downloaded);
    harness.run_steps(2);
    harness.get_by_label("Downloaded");
    let path = harness.state().library().episodes(None).unwrap()[0].path.clone().unwrap();
    assert!(path.starts_with(data.path().to_str().unwrap()));
    assert_eq!(std::fs::read(path).unwrap(), audio);
}

#[test]
fn playing_an_episode_that_is_not_downloaded_streams_it() {
    let (server, audio, data) = show_with_slow_audio("Streamable", 40_000);
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Streamable").click();
    harness.run_steps(6);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "streamed playback", |h| h.state().listening().player().position_secs() > 1.0);
    assert!(server.bytes_sent("/audio.mp3") < audio.len() as u64, "playing before the download ended");
    server.set_throttle("/audio.mp3", None);
    run_until(&mut harness, "the download to finish", |h| h.state().library().episodes(None).unwrap()[0].downloaded);
}

#[test]
fn a_relaunch_holds_the_last_episode_paused_where_it_stopped_and_space_resumes() {
    let data = tempfile::tempdir().unwrap();
    {
        let mut harness = app(data.path());
        harness.run_steps(2);
        harness.get_by_label("The spoken clock").click();
        harness.run_steps(6);
        harness.get_by_label("▶ Play").click();
        run_until(&mut harness, "playback", |h| h.state().listening().player().position_secs() > 0.3);
        harness.key_press(egui::Key::ArrowRight);
        harness.run_steps(1);
        harness.key_press(egui::Key::Space);
        run_until(&mut harness, "pause", |h| h.state().listening().player().is_paused());
        harness.run_steps(2);
    }
    let mut harness = app(data.path());
    run_until(&mut harness, "the restored episode", |h| {
        h.state().state.transport.playback.track().is_some_and(|n| n.title == "The spoken clock")
    });
    let restored = harness.state().state.transport.playback.track().unwrap().position_secs;
    assert!((30.0..32.0).contains(&restored), "held at {restored}");
    assert!(harness.state().listening().player().is_paused());
    harness.key_press(egui::Key::Space);
    run_until(&mut harness, "resumed playback", |h| h.state().listening().player().position_secs() > restored + 0.2);
    assert!(harness.state().listening().player().position_secs() < restored + 2.0, "resumed where it stopped");
}

#[test]
fn when_an_episode_ends_the_next_in_up_next_starts() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Welcome to Hark").click();
    harness.run_steps(6);
    harness.get_by_label("Add to Up Next").click();
    harness.run_steps(2);
    assert_eq!(harness.state().state.queue.len(), 1);
    harness.get_by_label("Offline by design").click();
    harness.run_steps(6);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "playback", |h| h.state().listening().player().position_secs() > 0.2);
    // Skipping 30 s in a 15-second episode runs it to its end.
    harness.key_press(egui::Key::ArrowRight);
    run_until(&mut harness, "the next episode", |h| {
        h.state().state.transport.playback.track().is_some_and(|n| n.title == "Welcome to Hark")
    });
    assert!(harness.state().state.queue.is_empty(), "it left Up Next when it started");
    let offline =
        harness.state().library().episodes(None).unwrap().into_iter().find(|e| e.title == "Offline by design").unwrap();
    assert!(offline.played, "the finished episode is played");
    assert_eq!(offline.position_secs, 0.0);
}

#[test]
fn shows_you_might_like_lists_the_podroll_and_subscribes_from_it() {
    let server = TestServer::start();
    let podroll = format!(
        "<podcast:podroll><podcast:remoteItem feedGuid=\"abc\" feedUrl=\"{}\"/></podcast:podroll>\
         <podcast:funding url=\"https://example.com/support\">Buy us a coffee</podcast:funding>",
        server.url("/friend.xml")
    );
    server.set(
        "/main.xml",
        Route::ok(
            common::feeds::rss_with("Main Show", &podroll, &items()).replace(
                "<rss version=\"2.0\"",
                "<rss version=\"2.0\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"",
            ),
            "application/rss+xml",
        ),
    );
    server.set("/friend.xml", Route::ok(rss("Friendly Show", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/main.xml"));
    let mut harness = app(data.path());
    harness.run_steps(3);
    harness.get_by_label("Shows you might like");
    harness.get_by_label(&server.url("/friend.xml"));
    // The show's funding is the header's "Support the show" (its own words in the hover).
    harness.get_by_label("Support the show");
    harness.get_by_label("Subscribe").click();
    run_until(&mut harness, "the podroll subscription", |h| {
        h.state().library().podcasts().unwrap().iter().any(|p| p.title == "Friendly Show")
    });
}

#[test]
fn a_timestamp_in_the_notes_starts_the_episode_there_and_share_copies_links() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("The spoken clock").click();
    harness.run_steps(6);
    harness.get_by_label("00:30").click();
    run_until(&mut harness, "playback from the timestamp", |h| h.state().listening().player().position_secs() > 30.0);
    let position = harness.state().listening().player().position_secs();
    assert!((30.0..31.5).contains(&position), "started at {position}");
    assert_eq!(harness.state().state.transport.playback.track().unwrap().title, "The spoken clock");

    harness.get_by_label("Copy episode link").click();
    harness.step();
    let copied = |h: &Harness<'_, HarkApp>| {
        h.output().platform_output.commands.iter().find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
    };
    assert_eq!(copied(&harness).as_deref(), Some("https://demo.hark.invalid/episode-2.mp3"));
    assert_eq!(harness.state().state.notice.as_ref().unwrap().text, "Copied the episode link");
    harness.run_steps(2);
    harness.get_by_label("Copy link at current time").click();
    harness.step();
    let timed = copied(&harness).unwrap();
    assert!(timed.starts_with("https://demo.hark.invalid/episode-2.mp3#t=3"), "{timed}");
    harness.run_steps(2);
    harness.get_by_label("Copy feed URL").click();
    harness.step();
    assert_eq!(copied(&harness).as_deref(), Some(hark::assets::DEMO_FEED_URL));
}

#[test]
fn pictures_in_the_notes_load_on_demand_downscaled() {
    let server = TestServer::start();
    let mut picture = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(2000, 1000, image::Rgb([200, 40, 40]))
        .write_to(&mut picture, image::ImageFormat::Png)
        .unwrap();
    server.set("/picture.png", Route::ok(picture.into_inner(), "image/png"));
    let notes = format!(
        "<p>Look:</p><img src=\"{}\" alt=\"a red block\"><img src=\"{}\" width=\"1\" height=\"1\">",
        server.url("/picture.png"),
        server.url("/pixel.gif")
    );
    let feed = rss("Pictures", &items()).replace("<h2>Notes of Opening Night</h2>", &notes);
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/feed.xml"));
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Opening Night").click();
    let url = server.url("/picture.png");
    run_until(&mut harness, "the picture", |h| {
        matches!(h.state().state.art.large.get(&url), Some(hark::ui::ArtSlot::Ready(_)))
    });
    let Some(hark::ui::ArtSlot::Ready(header)) = harness.state().state.art.large.get(&url) else { unreachable!() };
    assert_eq!(header.size(), [600, 300], "downscaled before it reaches the GPU");
    assert!(server.requests("/pixel.gif").is_empty(), "tracking pixels are never fetched");
}

/// The demo show's episode with this title.
fn demo_episode(library: &Library, title: &str) -> hark::model::EpisodeId {
    library.episodes(None).unwrap().into_iter().find(|e| e.title == title).expect("a demo episode").id
}

#[test]
fn a_hidden_window_still_answers_media_keys_and_advances_up_next() {
    common::init();
    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    let options = test_options;
    let ctx = egui::Context::default();
    drop(HarkApp::new(&ctx, paths.clone(), options()).unwrap()); // installs the demo show
    {
        let mut library = Library::open(&paths.database()).unwrap();
        let (offline, welcome) =
            (demo_episode(&library, "Offline by design"), demo_episode(&library, "Welcome to Hark"));
        library.set_setting("last_episode", &offline.to_string()).unwrap();
        library.set_queue(&[welcome]).unwrap();
    }
    let mut app = HarkApp::new(&ctx, paths, options()).unwrap();
    // Hidden: eframe runs no ui pass, only `logic`, whenever a worker wakes it.
    let mut frame = eframe::Frame::_new_kittest();
    let mut logic_until = |app: &mut HarkApp, what: &str, done: &dyn Fn(&HarkApp) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(app) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}: {:?}", app.listening().playback());
            eframe::App::logic(app, &ctx, &mut frame);
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let title = |app: &HarkApp| app.listening().playback().track().map(|t| t.title.clone()).unwrap_or_default();
    assert_eq!(title(&app), "Offline by design", "held from the last session");
    app.media_requests().send(hark::mpris::MediaRequest::Play).unwrap();
    logic_until(&mut app, "the media key's Play", &|app| app.listening().player().position_secs() > 0.3);
    assert!(app.listening().playback().is_playing());
    // The desktop's "seek 30 s" runs the 15-second episode to its end.
    app.media_requests().send(hark::mpris::MediaRequest::SeekBy(30.0)).unwrap();
    logic_until(&mut app, "Up Next's advance", &|app| title(app) == "Welcome to Hark");
    assert!(app.state.queue.is_empty(), "the view state followed without a ui pass");
    assert_eq!(app.state.transport.playback.track().map(|t| t.title.as_str()), Some("Welcome to Hark"));
}

/// What the scenario below leaves in the library: (played, position) of each episode, and Up Next.
fn listening_record(data: &Path) -> (Vec<(String, bool, f64)>, usize) {
    let library = Library::open(&data.join("library.sqlite3")).unwrap();
    let mut episodes: Vec<(String, bool, f64)> =
        library.episodes(None).unwrap().into_iter().map(|e| (e.title, e.played, e.position_secs)).collect();
    episodes.sort_by(|a, b| a.0.cmp(&b.0));
    (episodes, library.queue().unwrap().len())
}

/// Two short downloaded episodes: "Alpha" stopped 1 s in, "Beta" waiting in Up Next.
fn scenario_library(data: &Path, server: &TestServer) {
    let items = [
        Item { guid: "alpha", title: "Alpha", url: "http://127.0.0.1:9/alpha.wav" },
        Item { guid: "beta", title: "Beta", url: "http://127.0.0.1:9/beta.wav" },
    ];
    server.set("/short.xml", Route::ok(rss("Short Show", &items), "application/rss+xml"));
    let mut library = subscribe_url(data, &server.url("/short.xml"));
    let episodes = library.episodes(None).unwrap();
    let id = |title: &str| episodes.iter().find(|e| e.title == title).unwrap().id;
    for episode in &episodes {
        let path = data.join("downloads").join(format!("{}.wav", episode.id));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        common::audio::write_tone_wav(&path, 2.5, 440.0);
        library.set_downloaded(episode.id, Some(&path)).unwrap();
    }
    library.set_position(id("Alpha"), 1.0).unwrap();
    library.set_queue(&[id("Beta")]).unwrap();
}

#[test]
fn the_window_and_hark_play_leave_the_same_library() {
    let server = TestServer::start();
    let (window_data, cli_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    scenario_library(window_data.path(), &server);
    scenario_library(cli_data.path(), &server);

    // The window: resume Alpha, hear it to the end, Up Next plays Beta to its end.
    let mut harness = app(window_data.path());
    harness.run_steps(2);
    harness.get_by_label("Alpha").click();
    harness.run_steps(4);
    harness.get_by_label("▶ Play").click();
    // Heard to the end: played and back at the start (a short episode counts as played a moment
    // before its end, and only its end resets the position).
    run_until(&mut harness, "both heard", |_| {
        let (episodes, queue) = listening_record(window_data.path());
        queue == 0 && episodes.iter().all(|(_, played, at)| *played && *at == 0.0)
    });
    drop(harness);

    // The command line, the same way.
    let alpha = Library::open(&cli_data.path().join("library.sqlite3")).unwrap().find_episode("Alpha").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(cli_data.path())
        .args(["play", &alpha.to_string()])
        .env("ALSA_CONFIG_PATH", "/dev/null")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let window = listening_record(window_data.path());
    assert_eq!(window, listening_record(cli_data.path()), "the same rules ran in both");
    assert_eq!(
        window,
        (vec![("Alpha".to_string(), true, 0.0), ("Beta".to_string(), true, 0.0)], 0),
        "both played, both start over next time, Up Next empty"
    );
}

#[test]
fn long_notes_do_not_widen_the_episode_panel_and_panel_widths_are_remembered() {
    let server = TestServer::start();
    let long_link = format!("https://example.com/{}", "x".repeat(300));
    let notes = format!("<p>See <a href=\"{long_link}\">{long_link}</a></p><pre>{}</pre>", "y".repeat(400));
    let feed = rss("Long Notes", &items()).replace("<h2>Notes of Opening Night</h2>", &notes);
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/feed.xml"));
    let mut harness = app(data.path());
    harness.run_steps(3);
    let panel_left = harness.get_by_label("Select an episode to see its notes.").rect().left();
    harness.get_by_label("Opening Night").click();
    harness.run_steps(6);
    let with_notes = harness.get_by_label("▶ Play").rect().left();
    assert!(
        (with_notes - panel_left).abs() < 16.0 && panel_left < 900.0,
        "the episode panel kept its width: its left edge moved from {panel_left} to {with_notes}"
    );

    drop(harness);

    // A width the listener gave (kept in the settings) is there again at the next launch.
    let mut settings = Library::open(&data.path().join("library.sqlite3")).unwrap();
    settings.set_setting("panel_episode", "520").unwrap();
    let mut harness = app(data.path());
    harness.run_steps(3);
    harness.get_by_label("Opening Night").click();
    harness.run_steps(4);
    let left = harness.get_by_label("▶ Play").rect().left();
    assert!((left - (1280.0 - 520.0)).abs() < 24.0, "the panel is 520 wide again: its content starts at {left}");
    assert_eq!(settings.setting("panel_episode").unwrap().as_deref(), Some("520"));
}

#[test]
fn long_titles_show_in_full_on_hover() {
    let server = TestServer::start();
    let title = "An Extraordinarily Long Episode Title That Cannot Possibly Fit In The List Of Episodes At All";
    let items = [Item { guid: "long", title, url: "http://127.0.0.1:9/long.mp3" }];
    server.set("/feed.xml", Route::ok(rss("Titles", &items), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/feed.xml"));
    let mut harness = app(data.path());
    harness.run_steps(3);
    harness.get_by_label(title).hover();
    harness.run_steps(30);
    assert!(harness.query_all_by_label(title).count() >= 2, "a tooltip repeats the whole title");
    // A title that fits has no tooltip (none opens under a pointer resting on the list).
    harness.query_all_by_label("Titles").next().unwrap().hover();
    harness.run_steps(30);
    assert_eq!(harness.query_all_by_label("Titles").count(), 2, "the list and the show header, no tooltip");
}

#[test]
fn a_download_deleted_behind_harks_back_can_be_downloaded_again() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = subscribe(data.path(), &server, "/feed.xml", "Theatre Talk");
    let episode = library.episodes(None).unwrap().into_iter().find(|e| e.title == "Second Act").unwrap();
    library.set_downloaded(episode.id, Some(&data.path().join("downloads/gone.mp3"))).unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Second Act").click();
    harness.run_steps(4);
    harness.get_by_label("⬇ Download");
    assert!(!harness.state().library().episode(episode.id).unwrap().summary.downloaded);
}

#[test]
fn unsubscribing_deletes_the_shows_downloads_unless_kept() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = subscribe(data.path(), &server, "/feed.xml", "Theatre Talk");
    server.set("/other.xml", Route::ok(rss("Other Show", &items()), "application/rss+xml"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(hark::net::refresh::subscribe(&hark::http::client(), &mut library, &server.url("/other.xml")))
        .unwrap();
    let mut files = Vec::new();
    for (index, episode) in library.episodes(None).unwrap().into_iter().enumerate() {
        let path = data.path().join("downloads").join(format!("{index}.mp3"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"audio").unwrap();
        library.set_downloaded(episode.id, Some(&path)).unwrap();
        let podcast = library.podcast_of(episode.id).unwrap().title;
        files.push((podcast, path));
    }
    let mut harness = app(data.path());
    harness.run_steps(3);
    // The first node of a name is the sidebar's row (the show header may repeat the title).
    harness.query_all_by_label("Theatre Talk").next().unwrap().click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Unsubscribe").click();
    harness.run_steps(3);
    harness.query_all_by_label("Other Show").next().unwrap().click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Unsubscribe, keep downloads").click();
    harness.run_steps(3);
    assert!(harness.state().library().podcasts().unwrap().is_empty(), "both unsubscribed");
    for (podcast, path) in files {
        assert_eq!(path.exists(), podcast == "Other Show", "{podcast}: {}", path.display());
    }
}

#[test]
fn typing_a_name_finds_shows_in_the_directory_and_subscribes() {
    let server = TestServer::start();
    let items = [Item { guid: "a", title: "Opening Night", url: "http://127.0.0.1:9/a.mp3" }];
    server.set("/stage.xml", Route::ok(rss("Stage Door", &items), "application/rss+xml"));
    let answer = format!(
        "\n\n{{\"resultCount\":1,\"results\":[{{\"collectionName\":\"Stage Door\",\"artistName\":\"Bo Usher\",\
         \"feedUrl\":\"{}\",\"trackCount\":3,\"primaryGenreName\":\"Theatre\"}}]}}",
        server.url("/stage.xml")
    );
    server.set("/search", Route::ok(answer, "text/javascript"));
    let data = tempfile::tempdir().unwrap();
    let directories = hark::net::directory::Directories { itunes_url: server.url(""), podcast_index: None };
    let mut harness = app_with(data.path(), AppOptions { directories: Some(directories), ..test_options() });
    harness.run_steps(2);
    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text("sta");
    harness.run_steps(2);
    harness.get_by_label("Add podcast").type_text("ge door");
    run_until(&mut harness, "directory results", |h| !h.state().state.discover.shows.is_empty());
    let searches: Vec<String> = server.requests("/search").iter().map(|r| r.path.clone()).collect();
    assert_eq!(searches.len(), 1, "asked once typing paused, not at each keystroke: {searches:?}");
    assert!(searches[0].contains("term=stage+door"), "{searches:?}");
    harness.run_steps(2);
    harness.get_by_label("Bo Usher · 3 episodes · Theatre");
    harness.get_by_label("Subscribe").click();
    run_until(&mut harness, "the subscription", |h| {
        h.state().library().podcasts().unwrap().iter().any(|p| p.title == "Stage Door")
    });
    harness.run_steps(3);
    harness.get_by_label("Subscribed");
    harness.get_by_label("Opening Night");
}

#[test]
fn a_directory_that_cannot_be_reached_is_one_calm_line() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text("anything");
    run_until(&mut harness, "the answer", |h| h.state().state.discover.problem.is_some());
    assert!(harness.state().state.notice.is_none(), "no notice, no dialog");
    let problem = harness.state().state.discover.problem.clone().unwrap();
    assert!(problem.starts_with("The podcast directory could not be searched"), "{problem}");
}

#[test]
fn ctrl_f_searches_the_library_and_a_hit_opens_its_episode() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe(data.path(), &server, "/feed.xml", "Theatre Talk");
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    assert!(harness.get_by_label("Search your library").is_focused(), "Ctrl+F focuses the search field");
    harness.get_by_label("Search your library").type_text("second");
    run_until(&mut harness, "results as it is typed", |h| {
        h.state().state.find.pending.is_none() && h.state().state.find.results.is_some()
    });
    harness.run_steps(2);
    let results = harness.state().state.find.results.clone().expect("results as it is typed");
    let titles: Vec<&str> = results.episodes.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["Second Act", "Opening Night"], "the title hit first, then the one in the notes");
    harness.get_by_label("Second Act — Theatre Talk").click();
    harness.run_steps(3);
    let page = harness.state().state.episode_page.as_ref().expect("the episode opened");
    assert_eq!(page.episode.summary.title, "Second Act");
}

#[test]
fn a_podcast_index_key_given_in_the_window_makes_it_searched_too() {
    let server = TestServer::start();
    server.set("/search", Route::ok("{\"resultCount\":0,\"results\":[]}", "text/javascript"));
    let items = [Item { guid: "a", title: "Opening Night", url: "http://127.0.0.1:9/a.mp3" }];
    server.set("/indexed.xml", Route::ok(rss("Indexed Only", &items), "application/rss+xml"));
    let answer = format!(
        "{{\"status\":\"true\",\"feeds\":[{{\"title\":\"Indexed Only\",\"url\":\"{}\"}}]}}",
        server.url("/indexed.xml")
    );
    server.set("/api/1.0/search/byterm", Route::ok(answer, "application/json"));
    let data = tempfile::tempdir().unwrap();
    {
        // Self-hosted directories, from the settings (the environment would override them).
        let mut library = subscribe(data.path(), &server, "/feed.xml", "Theatre Talk");
        library.set_setting("directory_itunes_url", &server.url("")).unwrap();
        library.set_setting("directory_podcastindex_url", &server.url("")).unwrap();
    }
    let mut harness = app_with(data.path(), AppOptions { directories: None, ..test_options() });
    harness.run_steps(2);
    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text("indexed");
    run_until(&mut harness, "the first answer", |h| {
        !server.requests("/search").is_empty() && h.state().state.discover.pending.is_none()
    });
    harness.run_steps(3);
    assert!(harness.state().state.discover.shows.is_empty(), "no key yet: Apple's directory only");
    harness.get_by_label("Search the Podcast Index too").click();
    harness.run_steps(3);
    harness.get_by_label("API key").click();
    harness.run_steps(1);
    harness.get_by_label("API key").type_text("MYKEY");
    harness.run_steps(1);
    harness.get_by_label("API secret").click();
    harness.run_steps(1);
    harness.get_by_label("API secret").type_text("MYSECRET");
    harness.run_steps(2);
    harness.get_by_label("Save key").click();
    harness.run_steps(2);
    assert!(harness.state().state.notice.as_ref().is_some_and(|n| n.text.contains("Podcast Index")), "saved");
    harness.get_by_label("Add podcast").click();
    harness.run_steps(1);
    harness.get_by_label("Add podcast").type_text(" show");
    run_until(&mut harness, "the Podcast Index's answer", |h| !h.state().state.discover.shows.is_empty());
    let request = server.requests("/api/1.0/search/byterm").pop().expect("the Podcast Index was asked");
    assert_eq!(request.header("x-auth-key"), Some("MYKEY"));
    assert_eq!(harness.state().state.discover.shows[0].title, "Indexed Only");
}

#[test]
fn a_feed_handed_to_the_open_window_is_offered_then_subscribed() {
    let server = TestServer::start();
    server.set("/handed.xml", Route::ok(rss("Handed Over Show", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    // A browser's podcast:// link, as `hark` hands it on from a second launch.
    let link = server.url("/handed.xml").replace("http://", "podcast://");
    let opening = hark::desktop::Opening::parse(&link, data.path()).unwrap();
    harness.state().handoffs().send(hark::desktop::instance::Handoff::Open(opening)).unwrap();
    run_until(&mut harness, "the offer", |h| h.state().state.offer.is_some());
    harness.run_steps(2);
    harness.get_by_label(&format!("Subscribe to {}?", server.url("/handed.xml")));
    assert!(harness.state().library().podcasts().unwrap().iter().all(|p| p.title != "Handed Over Show"));

    harness.get_by_label("Not now").click();
    harness.run_steps(2);
    assert!(harness.state().state.offer.is_none());
    assert!(harness.state().library().podcasts().unwrap().iter().all(|p| p.title != "Handed Over Show"));

    harness.state_mut().open(hark::desktop::Opening::Feed(server.url("/handed.xml")));
    harness.run_steps(2);
    harness.get_by_label("Subscribe").click();
    run_until(&mut harness, "the subscription", |h| {
        h.state().library().podcasts().unwrap().iter().any(|p| p.title == "Handed Over Show")
    });
}

#[test]
fn an_opml_file_handed_to_the_window_offers_its_shows_and_imports_them() {
    let server = TestServer::start();
    server.set("/a.xml", Route::ok(rss("Show A", &items()), "application/rss+xml"));
    server.set("/b.xml", Route::ok(rss("Show B", &items()), "application/rss+xml"));
    let data = tempfile::tempdir().unwrap();
    let opml = data.path().join("friends.opml");
    std::fs::write(
        &opml,
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
             <outline type=\"rss\" text=\"Show A\" xmlUrl=\"{}\"/><outline type=\"rss\" text=\"Show B\" xmlUrl=\"{}\"/>\
             </body></opml>",
            server.url("/a.xml"),
            server.url("/b.xml")
        ),
    )
    .unwrap();
    let not_a_list = data.path().join("notes.txt");
    std::fs::write(&not_a_list, "just words").unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);

    harness.state_mut().open(hark::desktop::Opening::Opml(not_a_list));
    run_until(&mut harness, "the error", |h| h.state().state.notice.as_ref().is_some_and(|n| n.is_error));
    assert!(harness.state().state.notice.as_ref().unwrap().text.contains("neither an OPML file"));

    harness.state_mut().open(hark::desktop::Opening::Opml(opml));
    run_until(&mut harness, "the offer", |h| h.state().state.offer.is_some());
    harness.run_steps(2);
    harness.get_by_label("Import 2 podcasts from friends.opml?");
    harness.get_by_label("Import").click();
    run_until(&mut harness, "the import", |h| h.state().library().podcasts().unwrap().len() >= 3);
    let titles: Vec<String> = harness.state().library().podcasts().unwrap().into_iter().map(|p| p.title).collect();
    assert!(titles.contains(&"Show A".to_string()) && titles.contains(&"Show B".to_string()), "{titles:?}");
}

/// A show whose one episode is the chaptered MP3 (six chapters, 10 s each, in its ID3 tag) with
/// a WebVTT transcript of 2-second cues.
fn chaptered_show(data: &Path) -> TestServer {
    let server = TestServer::start();
    let mut vtt = String::from("WEBVTT\n\n");
    for i in 0..30 {
        vtt.push_str(&format!("00:00:{:02}.000 --> 00:00:{:02}.000\n<v Host>Cue number {i}</v>\n\n", i * 2, i * 2 + 2));
    }
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
        <title>Chaptered Show</title><item><guid>c1</guid><title>With Chapters</title>
        <pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
        <enclosure url="{}" type="audio/mpeg" length="240763"/>
        <podcast:transcript url="{}" type="text/vtt" language="en"/></item></channel></rss>"#,
        server.url("/chapters.mp3"),
        server.url("/t.vtt")
    );
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    server.set("/chapters.mp3", Route::ok(common::fixture_bytes("chapters.mp3"), "audio/mpeg"));
    server.set("/t.vtt", Route::ok(vtt, "text/vtt"));
    subscribe_url(data, &server.url("/feed.xml"));
    server
}

/// The window on the chaptered show, its episode selected.
fn chaptered_episode_page(data: &Path) -> Harness<'static, HarkApp> {
    let mut harness = app(data);
    harness.run_steps(2);
    harness.get_by_label("With Chapters").click();
    harness.run_steps(3);
    harness
}

fn position(harness: &Harness<'_, HarkApp>) -> f64 {
    harness.state().listening().position_secs()
}

#[test]
fn chapters_are_listed_navigated_from_the_transport_and_an_unchecked_one_is_skipped() {
    let data = tempfile::tempdir().unwrap();
    let _server = chaptered_show(data.path());
    let mut harness = chaptered_episode_page(data.path());
    harness.get_by_label("▶ Play").click();
    // Streamed, downloaded in full at once, and its own chapters read from the file.
    run_until(&mut harness, "the file's chapters", |h| h.state().state.transport.chapters.list.len() == 6);
    harness.run_steps(2);
    harness.get_by_label("Chapters (6)");
    for title in ["Cold open", "News", "Interview", "Listener mail", "Sponsor", "Outro"] {
        harness.get_by_label(&format!("Play chapter {title}"));
    }
    run_until(&mut harness, "playing", |h| h.state().listening().player().position_secs() > 0.5);

    harness.get_by_label("Next chapter").click();
    run_until(&mut harness, "chapter 2", |h| position(h) >= 10.0);
    assert!(position(&harness) < 10.5, "landed on the start of chapter 2: {}", position(&harness));
    harness.run_steps(2);
    assert!(harness.query_all_by_label("News").count() >= 2, "the list and the transport name the chapter");
    harness.get_by_label("Next chapter").click();
    run_until(&mut harness, "chapter 3", |h| position(h) >= 20.0);
    harness.get_by_label("Previous chapter").click();
    run_until(&mut harness, "back to chapter 2", |h| position(h) < 20.0);
    assert!(position(&harness) >= 10.0, "within 3 s of a start goes to the one before: {}", position(&harness));

    // Unchecked: jumped over while playing.
    harness.get_by_label("Play chapter Listener mail").click();
    run_until(&mut harness, "the skip saved", |h| h.state().state.transport.chapters.skipped[3]);
    harness.state_mut().media_requests().send(hark::mpris::MediaRequest::SeekTo(29.0)).unwrap();
    run_until(&mut harness, "past the skipped chapter", |h| position(h) >= 40.0);
    assert!(position(&harness) < 41.0, "landed where the skipped chapter ends: {}", position(&harness));
    let skipped = harness.state().library().skipped_chapters(harness.state().listening().playback().episode().unwrap());
    assert_eq!(skipped.unwrap().into_iter().collect::<Vec<_>>(), [30_000], "remembered for this episode");

    harness.state_mut().media_requests().send(hark::mpris::MediaRequest::Pause).unwrap();
    harness.state_mut().media_requests().send(hark::mpris::MediaRequest::SeekTo(45.0)).unwrap();
    run_until(&mut harness, "paused at 45", |h| {
        !h.state().listening().playback().is_playing() && (position(h) - 45.0).abs() < 0.1
    });
    harness.key_press(egui::Key::Comma);
    run_until(&mut harness, "the previous chapter key", |h| (position(h) - 40.0).abs() < 0.3);
    harness.key_press(egui::Key::Comma);
    run_until(&mut harness, "over the skipped chapter, back", |h| (position(h) - 20.0).abs() < 0.3);
    harness.key_press(egui::Key::Period);
    run_until(&mut harness, "over the skipped chapter, forward", |h| (position(h) - 40.0).abs() < 0.3);
}

#[test]
fn the_transcript_follows_playback_and_a_click_on_a_cue_plays_from_there() {
    let data = tempfile::tempdir().unwrap();
    let _server = chaptered_show(data.path());
    let mut harness = chaptered_episode_page(data.path());
    harness.get_by_label("📝 Transcript").click();
    run_until(&mut harness, "the transcript", |h| {
        matches!(
            h.state().state.transcript.as_ref().map(|t| &t.content),
            Some(hark::ui::transcript::TranscriptContent::Ready(_))
        )
    });
    harness.run_steps(2);
    harness.get_by_label("0:00 Cue number 0");

    harness.get_by_label("0:20 Cue number 10").click();
    run_until(&mut harness, "playing from the cue", |h| {
        h.state().listening().playback().is_playing() && position(h) >= 20.0
    });
    let spoken = |h: &Harness<'_, HarkApp>| h.state().state.transcript.as_ref().and_then(|t| t.spoken);
    run_until(&mut harness, "the cue highlighted", |h| spoken(h) == Some(10));
    run_until(&mut harness, "the highlight moving on", |h| spoken(h) == Some(11));
    assert!(position(&harness) >= 22.0);

    // Reading elsewhere stops the following; Follow brings it back.
    harness.get_by_label("Find in transcript").click();
    harness.get_by_label("Find in transcript").type_text("number 3");
    harness.run_steps(3);
    assert!(!harness.state().state.transcript.as_ref().unwrap().follow, "a find scrolls to the match");
    harness.get_by_label("Follow").click();
    harness.run_steps(2);
    assert!(harness.state().state.transcript.as_ref().unwrap().follow);
}

#[test]
fn a_transcript_line_or_the_moment_playing_opens_a_clip_of_that_span() {
    let data = tempfile::tempdir().unwrap();
    let _server = chaptered_show(data.path());
    let mut harness = chaptered_episode_page(data.path());
    let open_transcript = |harness: &mut Harness<'_, HarkApp>| {
        harness.get_by_label("📝 Transcript").click();
        run_until(harness, "the transcript", |h| {
            matches!(
                h.state().state.transcript.as_ref().map(|t| &t.content),
                Some(hark::ui::transcript::TranscriptContent::Ready(_))
            )
        });
        harness.run_steps(2);
    };
    let clip = |h: &Harness<'_, HarkApp>| h.state().state.bookmarks.clip.as_ref().map(|c| (c.start, c.span()));

    // Playing, the transport's bookmark button offers (right-click) a clip from the moment
    // playing, 30 s unless the listener says otherwise.
    open_transcript(&mut harness);
    harness.get_by_label("0:20 Cue number 10").click();
    run_until(&mut harness, "playing from the cue", |h| h.state().listening().playback().is_playing());
    // The chapters arrive on their own and put their buttons before the bookmark's: a click
    // aimed before they land would hit where the button was.
    run_until(&mut harness, "the file's chapters", |h| h.state().state.transport.chapters.list.len() == 6);
    harness.key_press(egui::Key::Escape);
    run_until(&mut harness, "the transcript closed", |h| h.state().state.transcript.is_none());
    harness.run_steps(10);
    harness.get_by_label("Bookmark this moment").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Clip from here…").click();
    harness.run_steps(2);
    let (start, span) = clip(&harness).expect("the clip form opens from the transport");
    // The moment playing as the transport last heard it: within an MP3 frame (26 ms) of the cue.
    assert!((19.95..25.0).contains(&start), "from the place playing: {start}");
    assert!(span.is_some_and(|(from, to)| (to - from - 30.0).abs() < 1e-6), "{span:?}");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(clip(&harness).is_none(), "Esc closes the clip form");

    // A transcript line: from its start, for its length.
    open_transcript(&mut harness);
    let cue = match &harness.state().state.transcript.as_ref().unwrap().content {
        hark::ui::transcript::TranscriptContent::Ready(t) => t.cues[12].clone(),
        _ => unreachable!("ready above"),
    };
    harness.get_by_label("0:24 Cue number 12").click_secondary();
    harness.run_steps(2);
    harness.get_by_label("Clip from this line…").click();
    harness.run_steps(4);
    let (start, span) = clip(&harness).expect("the clip form opens from the line");
    assert_eq!(start, cue.start_secs, "from the line's start");
    let length = (cue.end_secs - cue.start_secs).ceil().max(1.0);
    assert_eq!(span, Some((cue.start_secs, cue.start_secs + length)), "for the line's length");
    harness.get_by_label("Save clip…");
}

/// A JPEG whose frame header claims 60,000 × 60,000 pixels: a decompression bomb by size.
fn jpeg_bomb() -> Vec<u8> {
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::RgbImage::new(8, 8).write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let mut bytes = jpeg.into_inner();
    let frame = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame header");
    bytes[frame + 5..frame + 7].copy_from_slice(&60_000u16.to_be_bytes());
    bytes[frame + 7..frame + 9].copy_from_slice(&60_000u16.to_be_bytes());
    bytes
}

#[test]
fn a_chapter_picture_that_is_a_decompression_bomb_leaves_the_placeholder_and_nothing_else_changes() {
    let server = TestServer::start();
    let chapters = format!(
        r#"{{"version":"1.2.0","chapters":[{{"startTime":0,"title":"Safe start"}},
            {{"startTime":5,"title":"Bomb chapter","img":"{}"}}]}}"#,
        server.url("/bomb.jpg")
    );
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
        <title>Bomb Show</title><item><guid>b1</guid><title>Exploding Pictures</title>
        <enclosure url="{}" type="audio/mpeg" length="240424"/>
        <podcast:chapters url="{}" type="application/json+chapters"/></item></channel></rss>"#,
        server.url("/tone.mp3"),
        server.url("/chapters.json")
    );
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    server.set("/chapters.json", Route::ok(chapters, "application/json"));
    let error = hark::net::art::downscale(&jpeg_bomb()).unwrap_err();
    assert!(error.contains("limit"), "the bomb is refused by the size limit: {error}");
    server.set("/bomb.jpg", Route::ok(jpeg_bomb(), "image/jpeg"));
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &server.url("/feed.xml"));
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Exploding Pictures").click();
    let bomb = server.url("/bomb.jpg");
    run_until(&mut harness, "the picture refused", |h| {
        matches!(h.state().state.art.thumbnails.get(&bomb), Some(hark::ui::ArtSlot::Missing))
    });
    harness.run_steps(2);
    harness.get_by_label("Play chapter Bomb chapter");
    harness.get_by_label("Chapters (2)");
    assert_eq!(server.requests("/bomb.jpg").len(), 1);
    assert!(harness.state().state.notice.as_ref().is_none_or(|n| !n.is_error), "no error for a picture");
}

#[test]
fn a_streamed_episodes_chapters_appear_from_its_tag_before_the_download_ends() {
    let data = tempfile::tempdir().unwrap();
    let server = chaptered_show(data.path());
    server.set_throttle("/chapters.mp3", Some(40_000));
    let mut harness = chaptered_episode_page(data.path());
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "the chapters from the stream's start", |h| {
        h.state().state.transport.chapters.list.len() == 6
    });
    let downloaded = harness.state().library().episodes(None).unwrap()[0].downloaded;
    assert!(!downloaded, "read from the tag while the rest still downloads");
    assert!(server.bytes_sent("/chapters.mp3") < 240_000);
    harness.run_steps(2);
    harness.get_by_label("Chapters (6)");
}

#[test]
fn the_sleep_timer_menu_starts_counts_down_and_turns_off() {
    let data = tempfile::tempdir().unwrap();
    let _server = chaptered_show(data.path());
    let mut harness = chaptered_episode_page(data.path());
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "playing", |h| h.state().listening().playback().is_playing());
    let media = harness.state().media_requests();
    // Paused, the transport's layout holds still while the pointer goes to the menu.
    media.send(hark::mpris::MediaRequest::Pause).unwrap();
    run_until(&mut harness, "paused", |h| !h.state().listening().playback().is_playing());
    // A menu opened on one frame may be laid out again on the next: pick again until it took.
    for _ in 0..3 {
        open_menu(&mut harness, "Sleep", "In 15 minutes");
        harness.get_by_label("In 15 minutes").click();
        harness.run_steps(3);
        if harness.state().state.transport.sleep.is_some() {
            break;
        }
    }
    run_until(&mut harness, "the timer", |h| h.state().state.transport.sleep.is_some());
    let left = |h: &Harness<'_, HarkApp>| h.state().listening().sleep_timer().and_then(|(_, left)| left).unwrap();
    assert_eq!(left(&harness), 900.0);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(left(&harness), 900.0, "paused: the countdown stands");

    media.send(hark::mpris::MediaRequest::Play).unwrap();
    run_until(&mut harness, "playing again", |h| h.state().listening().playback().is_playing());
    std::thread::sleep(Duration::from_millis(1100));
    harness.run_steps(2);
    assert!(left(&harness) < 899.0, "counting down while playing: {}", left(&harness));
    assert!(harness.query_by_label_contains("Sleep 14:5").is_some(), "the time left is shown");

    // Z: 15 → 30 → 60 minutes → end of episode → off.
    harness.key_press(egui::Key::Z);
    harness.run_steps(2);
    assert!(left(&harness) > 1700.0);
    harness.key_press(egui::Key::Z);
    harness.key_press(egui::Key::Z);
    harness.run_steps(2);
    media.send(hark::mpris::MediaRequest::Pause).unwrap();
    run_until(&mut harness, "paused", |h| !h.state().listening().playback().is_playing());
    open_menu(&mut harness, "Sleep: end of episode", "Turn the sleep timer off");
    harness.get_by_label("Turn the sleep timer off").click();
    run_until(&mut harness, "the timer off", |h| h.state().listening().sleep_timer().is_none());
}

/// Opens a menu the way a mouse does: the pointer comes to its button, then clicks; until
/// `item` shows (a click that lands while the layout is still settling opens nothing).
fn open_menu(harness: &mut Harness<'_, HarkApp>, button: &str, item: &str) {
    for _ in 0..3 {
        harness.get_by_label(button).hover();
        harness.run_steps(1);
        harness.get_by_label(button).click();
        harness.run_steps(3);
        if harness.query_by_label(item).is_some() {
            return;
        }
    }
    panic!("the {button} menu did not open to show {item}");
}

#[test]
fn a_shows_listening_settings_are_set_from_its_header_and_used() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let library = subscribe(data.path(), &server, "/feed.xml", "Settings Show");
    let podcast = library.podcasts().unwrap()[0].id;
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Listening settings").click();
    // A new window is measured in its first frames before it is shown.
    harness.run_steps(4);
    harness.get_by_label("Its own speed for this show").click();
    harness.run_steps(2);
    open_menu(&mut harness, "Skip silence for this show", "Medium");
    harness.get_by_label("Medium").click();
    harness.run_steps(2);
    open_menu(&mut harness, "Voice boost for this show", "On");
    harness.get_by_label("On").click();
    harness.run_steps(2);
    let saved = harness.state().library().show_settings(podcast).unwrap();
    assert_eq!(saved.speed, Some(1.0), "its own speed");
    assert_eq!(saved.skip_silence, Some(hark::player::SilenceLevel::Medium));
    assert_eq!(saved.voice_boost, Some(true));
    assert_eq!(saved.loudness, None, "loudness follows the listener's setting");
    // What plays from this show sounds that way (the episode streams from nowhere: no matter).
    harness.get_by_label("Opening Night").click();
    harness.run_steps(2);
    harness.get_by_label("▶ Play").click();
    harness.run_steps(2);
    let audio = harness.state().listening().sound().audio;
    assert_eq!((audio.skip_silence, audio.voice_boost), (hark::player::SilenceLevel::Medium, true));
    harness.run_steps(2);
    assert!(harness.query_by_label("Sound: skip silence, boost").is_some(), "the transport says so");
}

#[test]
fn the_sound_menu_sets_the_listeners_own_skip_silence_loudness_and_boost() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe(data.path(), &server, "/feed.xml", "Sound Show");
    let mut harness = app(data.path());
    harness.run_steps(2);
    open_menu(&mut harness, "Sound", "Strong");
    harness.get_by_label("Strong").click();
    harness.run_steps(2);
    let listener = harness.state().listening().listener_sound();
    assert_eq!(listener.skip_silence, hark::player::SilenceLevel::Strong);
    assert!(listener.loudness, "loudness normalisation is on by default");
    open_menu(&mut harness, "Sound: skip silence", "Loudness normalisation (-16 LUFS)");
    harness.get_by_label("Loudness normalisation (-16 LUFS)").click();
    harness.run_steps(2);
    let library = harness.state().library();
    assert_eq!(library.setting("skip_silence").unwrap().as_deref(), Some("strong"), "remembered");
    assert_eq!(library.setting("loudness").unwrap().as_deref(), Some("0"));
}

#[test]
fn the_statistics_view_shows_time_listened_and_saved_per_show() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = subscribe(data.path(), &server, "/feed.xml", "Stats Show");
    let podcast = library.podcasts().unwrap()[0].id;
    let episode = library.episodes(Some(podcast)).unwrap()[0].id;
    let time = hark::library::ListeningTime {
        listened_secs: 3600.0,
        saved_by_speed_secs: 600.0,
        saved_by_silence_secs: 120.0,
    };
    library.add_listening(episode, podcast, time).unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Statistics").click();
    harness.run_steps(3);
    harness.get_by_label("1 h 00 min listened");
    harness.get_by_label("Time saved: 12 min (10 min by speed, 2 min by shorter silences)");
    harness.get_by_label("Saved by silences");
    assert!(harness.query_all_by_label("Stats Show").count() >= 2, "the show's row beside its list entry");
    harness.get_by_label("1 h 00 min");
}

#[test]
fn a_second_launch_hands_its_feed_to_the_open_window_which_offers_it_and_esc_says_not_now() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    // The window's own listener, as `HarkApp::run` sets it up, delivering to this window.
    let hark::desktop::instance::Claim::First(Some(listener)) =
        hark::desktop::instance::claim(data.path(), &hark::desktop::instance::Handoff::Raise)
    else {
        panic!("this window owns the library's socket");
    };
    listener.serve(harness.state().handoffs(), std::sync::Arc::new(hark::NoWaker));
    let launch = std::process::Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .arg("https://example.com/handed.xml")
        .output()
        .unwrap();
    assert!(launch.status.success(), "{}", String::from_utf8_lossy(&launch.stderr));
    run_until(&mut harness, "the offer", |h| h.state().state.offer.is_some());
    harness.run_steps(2);
    harness.get_by_label("Subscribe to https://example.com/handed.xml?");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().state.offer.is_none(), "Esc answers \"Not now\"");
    assert!(
        harness.state().library().podcasts().unwrap().iter().all(|p| p.feed_url != "https://example.com/handed.xml")
    );
}

#[test]
fn esc_closes_each_dialog_and_opening_one_closes_the_one_before() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(2);
    type Open = fn(&HarkApp) -> bool;
    let dialogs: [(&str, Open); 4] = [
        ("⬇ Downloads", |a| a.state.downloads_window.open),
        ("Statistics", |a| a.state.statistics.is_some()),
        ("Sync", |a| a.state.sync.open),
        ("Listening settings", |a| a.state.show_settings.is_some()),
    ];
    for (button, open) in dialogs {
        harness.get_by_label(button).click();
        harness.run_steps(2);
        assert!(open(harness.state()), "{button} opened");
        harness.key_press(egui::Key::Escape);
        harness.run_steps(2);
        assert!(!open(harness.state()), "Esc closed {button}");
    }
    open_menu(&mut harness, "File", "Preferences…");
    harness.get_by_label("Preferences…").click();
    harness.run_steps(2);
    assert!(harness.state().state.preferences.is_some());
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.state().state.preferences.is_none(), "Esc closed Preferences");
    open_menu(&mut harness, "Help", "Keyboard shortcuts");
    harness.get_by_label("Keyboard shortcuts").click();
    harness.run_steps(2);
    assert!(harness.state().state.show_shortcuts);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(!harness.state().state.show_shortcuts, "Esc closed the shortcuts");

    // One at a time.
    harness.get_by_label("⬇ Downloads").click();
    harness.run_steps(2);
    harness.get_by_label("Statistics").click();
    harness.run_steps(2);
    assert!(harness.state().state.statistics.is_some() && !harness.state().state.downloads_window.open);
}

/// Whether a label is a clock (`0:12`, `1:02:03`), as durations are shown.
fn is_clock(label: &str) -> bool {
    !label.is_empty()
        && label.split(':').count() >= 2
        && label.split(':').all(|part| part.chars().all(|c| c.is_ascii_digit()))
}

#[test]
fn at_each_size_nothing_lies_outside_the_window_no_buttons_overlap_and_durations_are_whole() {
    use egui_kittest::kittest::{NodeT, by};
    for (width, height) in [(1200.0, 760.0), (1024.0, 700.0), (800.0, 600.0), (640.0, 480.0), (1920.0, 1080.0)] {
        let data = tempfile::tempdir().unwrap();
        let paths = AppPaths::inside(data.path());
        let mut harness = Harness::builder()
            .with_size(egui::vec2(width, height))
            .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, test_options()).expect("the app starts"));
        harness.run_steps(4);
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(width, height)).expand(1.0);
        let nodes: Vec<(String, egui::Rect, bool)> = harness
            .query_all(by().predicate(|_| true))
            .filter_map(|node| {
                let node = node.accesskit_node();
                let b = node.bounding_box()?;
                let rect = egui::Rect::from_min_max(
                    egui::pos2(b.x0 as f32, b.y0 as f32),
                    egui::pos2(b.x1 as f32, b.y1 as f32),
                );
                let interactive = matches!(
                    node.role(),
                    egui::accesskit::Role::Button | egui::accesskit::Role::CheckBox | egui::accesskit::Role::TextInput
                );
                Some((node.label().or_else(|| node.value()).unwrap_or_default(), rect, interactive))
            })
            .collect();
        assert!(nodes.len() > 20, "{width}×{height}: the window was drawn");
        for (label, rect, _) in &nodes {
            assert!(window.contains_rect(*rect), "{width}×{height}: \"{label}\" at {rect:?} is outside the window");
        }
        let buttons: Vec<&(String, egui::Rect, bool)> =
            nodes.iter().filter(|(_, rect, i)| *i && rect.area() > 0.0).collect();
        for (i, a) in buttons.iter().enumerate() {
            for b in &buttons[i + 1..] {
                let overlap = a.1.intersect(b.1);
                assert!(
                    overlap.width() <= 1.0 || overlap.height() <= 1.0,
                    "{width}×{height}: \"{}\" {:?} and \"{}\" {:?} overlap",
                    a.0,
                    a.1,
                    b.0,
                    b.1
                );
            }
        }
        // The episode list's durations are whole, left of the episode page (or of the window).
        let list_right = nodes
            .iter()
            .find(|(label, ..)| label == "Select an episode to see its notes.")
            .map_or(width, |(_, rect, _)| rect.left());
        let folded = width < hark::ui::FOLD_EPISODE_PAGE_BELOW;
        assert_eq!(list_right < width, !folded, "{width}×{height}: the episode page is a column unless folded");
        let mut clocks: Vec<(String, egui::Rect)> = nodes
            .iter()
            .filter(|(label, rect, _)| is_clock(label) && rect.bottom() < height - 80.0)
            .map(|(label, rect, _)| (label.clone(), *rect))
            .collect();
        // A label and its text run are both nodes.
        clocks.dedup();
        assert_eq!(clocks.len(), 3, "{width}×{height}: the demo's three durations {clocks:?}");
        for (label, rect) in clocks {
            assert!(rect.right() <= list_right + 1.0, "{width}×{height}: {label} at {rect:?} runs under {list_right}");
        }
    }
}

#[test]
fn a_narrow_window_folds_the_episode_page_into_the_middle_with_a_way_back() {
    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    let mut harness = Harness::builder()
        .with_size(egui::vec2(800.0, 600.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, test_options()).expect("the app starts"));
    harness.run_steps(3);
    assert!(harness.query_by_label("Select an episode to see its notes.").is_none(), "no third column");
    harness.get_by_label("The spoken clock").click();
    harness.run_steps(3);
    assert!(harness.state().state.episode_page.is_some());
    assert!(harness.query_by_label("Offline by design").is_none(), "the page took the list's place");
    harness.get_by_label("Back to the episodes").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Offline by design").is_some(), "back to the list");
    assert!(harness.state().state.episode_page.is_none());
}

#[test]
fn the_episode_in_the_transport_is_marked_in_the_list() {
    let data = tempfile::tempdir().unwrap();
    let mut harness = app(data.path());
    harness.run_steps(3);
    assert!(harness.query_by_label("▶ The spoken clock").is_none());
    harness.get_by_label("The spoken clock").click();
    harness.run_steps(2);
    harness.get_by_label("▶ Play").click();
    run_until(&mut harness, "the mark", |h| h.query_by_label("▶ The spoken clock").is_some());
    assert!(harness.query_by_label("▶ Offline by design").is_none(), "only the one playing");
}

/// Serves "Big Show": "Part 1" … "Part 2000", a day apart, newest first in the feed.
fn serve_big_show(server: &TestServer) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>Big Show</title>",
    );
    for n in 1..=2000 {
        let day = chrono::DateTime::from_timestamp(1_600_000_000 + n * 86_400, 0).unwrap().to_rfc2822();
        xml.push_str(&format!(
            "<item><guid>b{n}</guid><title>Part {n}</title><pubDate>{day}</pubDate><itunes:duration>{}</itunes:duration>\
             <enclosure url=\"http://127.0.0.1:9/{n}.mp3\" type=\"audio/mpeg\"/></item>",
            60 + (n * 37) % 3600
        ));
    }
    xml.push_str("</channel></rss>");
    server.set("/big.xml", Route::ok(xml, "application/rss+xml"));
    server.url("/big.xml")
}

#[test]
fn a_show_of_two_thousand_episodes_is_sorted_filtered_and_searched_in_the_window() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let mut library = subscribe_url(data.path(), &serve_big_show(&server));
    let part_7 = library.episodes(None).unwrap().into_iter().find(|e| e.title == "Part 7").unwrap().id;
    library.set_position(part_7, 30.0).unwrap();
    drop(library);
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.query_all_by_label("Big Show").next().unwrap().click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Part 2000").is_some(), "newest first");
    assert!(harness.query_by_label("Part 1").is_none(), "the oldest is far down");

    harness.get_by_label("Search this show").click();
    harness.get_by_label("Search this show").type_text("part 1999");
    harness.run_steps(3);
    assert!(harness.query_by_label("Part 1999").is_some());
    assert!(harness.query_by_label("Part 2000").is_none(), "only what matches");
    harness.state_mut().state.episode_list.query.clear();

    harness.state_mut().state.episode_list.sort = hark::ui::episode_list::Sort::Oldest;
    harness.run_steps(3);
    assert!(
        harness.query_by_label("Part 1").is_some() && harness.query_by_label("Part 2000").is_none(),
        "oldest first"
    );

    harness.state_mut().state.episode_list.filter = hark::ui::episode_list::Filter::InProgress;
    harness.run_steps(3);
    assert!(harness.query_by_label("Part 7").is_some());
    assert!(
        harness.query_by_label("Part 1").is_none() && harness.query_by_label("Part 8").is_none(),
        "only the one in progress"
    );
    harness.state_mut().state.episode_list.filter = hark::ui::episode_list::Filter::Downloaded;
    harness.run_steps(3);
    assert!(harness.query_by_label("No episodes here match.").is_some());
}

/// The title of the episode whose page is open.
fn open_page(harness: &Harness<'_, HarkApp>) -> Option<String> {
    harness.state().state.episode_page.as_ref().map(|page| page.episode.summary.title.clone())
}

/// Whether the row titled `title` is drawn whole inside the list's visible part.
fn row_in_view(harness: &Harness<'_, HarkApp>, list: &str, title: &str) -> bool {
    // A row spans the list's width; the list's edge may fall a fraction of a pixel inside it.
    let list = harness.get_by_label(list).rect().expand(0.5);
    // The page's heading has the title too, outside the list.
    harness.query_all_by_label(title).any(|row| list.contains_rect(row.rect()))
}

/// The "Part N" rows drawn now, in order.
fn parts_in_view(harness: &Harness<'_, HarkApp>) -> Vec<String> {
    use egui_kittest::kittest::NodeT;
    let list = harness.get_by_label("Episode list").rect().expand(0.5);
    harness
        .query_all_by_label_contains("Part ")
        .filter(|row| list.contains_rect(row.rect()))
        .filter_map(|row| row.accesskit_node().label())
        .collect()
}

/// Presses `key` and draws the frame that answers it and the one that shows the result.
fn press(harness: &mut Harness<'_, HarkApp>, key: egui::Key) {
    harness.key_press(key);
    harness.run_steps(2);
}

#[test]
fn the_keys_move_through_two_thousand_episodes_keep_the_selection_in_view_and_enter_plays_it() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &serve_big_show(&server));
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.get_by_label("Part 2000").click();
    harness.run_steps(2);
    assert_eq!(open_page(&harness).as_deref(), Some("Part 2000"));

    press(&mut harness, egui::Key::ArrowDown);
    assert_eq!(open_page(&harness).as_deref(), Some("Part 1999"), "Down opens the next row's page");
    assert!(harness.state().state.transport.playback.episode().is_none(), "without playing it");
    press(&mut harness, egui::Key::PageDown);
    let paged = open_page(&harness).unwrap();
    let at: usize = paged.trim_start_matches("Part ").parse().unwrap();
    assert!((1970..=1985).contains(&at), "PageDown moves a screenful: {paged}");
    assert!(row_in_view(&harness, "Episode list", &paged), "{paged} scrolled into view");
    press(&mut harness, egui::Key::End);
    assert_eq!(open_page(&harness).as_deref(), Some("Part 1"));
    assert!(row_in_view(&harness, "Episode list", "Part 1"), "the last row scrolled into view");
    assert!(harness.query_by_label("Part 2000").is_none(), "the top is out of view");
    press(&mut harness, egui::Key::ArrowUp);
    assert!(row_in_view(&harness, "Episode list", "Part 2") && row_in_view(&harness, "Episode list", "Part 1"));
    press(&mut harness, egui::Key::Home);
    assert_eq!(open_page(&harness).as_deref(), Some("Part 2000"));
    assert!(row_in_view(&harness, "Episode list", "Part 2000"), "back at the top");

    press(&mut harness, egui::Key::Enter);
    let playing = harness.state().state.transport.playback.track().map(|track| track.title.clone());
    assert_eq!(playing.as_deref(), Some("Part 2000"), "Enter plays the selected episode");

    // While a text field is typed into, the keys are the field's.
    harness.get_by_label("Search this show").click();
    harness.run_steps(1);
    press(&mut harness, egui::Key::ArrowDown);
    press(&mut harness, egui::Key::End);
    assert_eq!(open_page(&harness).as_deref(), Some("Part 2000"), "the list did not move");
}

#[test]
fn each_show_keeps_where_its_list_was_scrolled() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe_url(data.path(), &serve_big_show(&server));
    subscribe(data.path(), &server, "/small.xml", "Small Show");
    let mut harness = app(data.path());
    harness.run_steps(2);
    harness.query_all_by_label("Big Show").next().unwrap().click();
    harness.run_steps(2);
    harness.get_by_label("Part 2000").click();
    harness.run_steps(2);
    // Row 800 from the top is "Part 1200".
    while open_page(&harness).is_none_or(|title| title.trim_start_matches("Part ").parse::<usize>().unwrap() > 1200) {
        press(&mut harness, egui::Key::PageDown);
    }
    let before = parts_in_view(&harness);
    assert!(before.contains(&open_page(&harness).unwrap()), "scrolled to row 800 or so: {before:?}");
    assert!(!before.contains(&"Part 2000".to_string()));

    harness.query_all_by_label("Small Show").next().unwrap().click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Opening Night").is_some(), "the other show's list");
    harness.query_all_by_label("Big Show").next().unwrap().click();
    harness.run_steps(3);
    assert_eq!(parts_in_view(&harness), before, "the same rows as when it was left");
}

#[test]
fn tab_moves_between_the_shows_the_episodes_and_the_episode_page() {
    use hark::ui::keys::Pane;
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    subscribe(data.path(), &server, "/a.xml", "Alpha Show");
    subscribe(data.path(), &server, "/b.xml", "Beta Show");
    let mut harness = app(data.path());
    harness.run_steps(2);
    let pane = |h: &Harness<'_, HarkApp>| h.state().state.keys.pane;
    let show = |h: &Harness<'_, HarkApp>| h.state().state.show.as_ref().map(|s| s.title.clone());
    assert_eq!(pane(&harness), Pane::Episodes, "the episodes have the keys at first");
    let first = show(&harness).unwrap();

    // No page open: Tab goes round the two lists.
    press(&mut harness, egui::Key::Tab);
    assert_eq!(pane(&harness), Pane::Shows);
    // In the sidebar the keys move over the Inbox and the shows; Enter opens one and moves in.
    press(&mut harness, egui::Key::End);
    press(&mut harness, egui::Key::Enter);
    harness.run_steps(1);
    let last = show(&harness).unwrap();
    assert_ne!(first, last, "Enter opened the last show");
    assert_eq!(pane(&harness), Pane::Episodes, "and the keys moved into its episodes");
    press(&mut harness, egui::Key::ArrowDown);
    assert!(open_page(&harness).is_some(), "Down selected its first episode");

    press(&mut harness, egui::Key::Tab);
    assert_eq!(pane(&harness), Pane::Page);
    assert!(harness.get_by_label("▶ Play").is_focused(), "the page's first button has the focus");
    // A focused button is egui's: Tab walks on to the next one rather than to another pane.
    press(&mut harness, egui::Key::Tab);
    assert!(!harness.get_by_label("▶ Play").is_focused() && pane(&harness) == Pane::Page);
    press(&mut harness, egui::Key::Escape);
    press(&mut harness, egui::Key::Tab);
    assert_eq!(pane(&harness), Pane::Shows, "after the page, round to the shows");
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Tab);
    harness.run_steps(2);
    assert_eq!(pane(&harness), Pane::Page, "Shift+Tab goes back");

    // A click in a pane gives it the keys.
    harness.query_all_by_label(&first).next().unwrap().click();
    harness.run_steps(2);
    assert_eq!(pane(&harness), Pane::Shows);
    press(&mut harness, egui::Key::Home);
    press(&mut harness, egui::Key::Enter);
    assert!(harness.state().state.inbox.open, "the Inbox is the sidebar's first row");
    // In the Inbox the keys work as in a show's list.
    // Both shows have episodes of the same titles: the Inbox's rows are told apart by id.
    let entry = &harness.state().state.inbox.entries[0];
    let (first_new, row) = (entry.episode.id, format!("{} — {}", entry.podcast_title, entry.episode.title));
    press(&mut harness, egui::Key::ArrowDown);
    let page = harness.state().state.episode_page.as_ref().map(|page| page.episode.summary.id);
    assert_eq!(page, Some(first_new), "Down opened the Inbox's first episode");
    assert!(row_in_view(&harness, "Inbox list", &row));
    press(&mut harness, egui::Key::Enter);
    let playing = harness.state().state.transport.playback.episode();
    assert_eq!(playing, Some(first_new), "Enter plays the Inbox's selected episode");
}
