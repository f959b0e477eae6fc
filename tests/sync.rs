//! Sync against a real gpodder-API server on 127.0.0.1 (podsync 1.0.5, SQL and file backends),
//! driven through the real `hark` binary: two data folders are two devices. Also a third client
//! written from the API reference, and the faults (server down, wrong password, 500 in the middle
//! of an upload, a reply cut short, clock skew, a feed URL the server rewrote).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::gpodder::{Backend, Fault, Podsync, Proxy, http};
use common::server::{Route, TestServer};

const PASSWORD: &str = "correct horse battery staple";

fn hark(data: &Path, args: &[&str]) -> Output {
    hark_with(data, args, &[])
}

fn hark_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hark"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("HARK_DATA_DIR")
        .env_remove("HARK_SYNC_PASSWORD")
        .env("HARK_SECRET_STORE", "file")
        .env("ALSA_CONFIG_PATH", "/dev/null");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run hark")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: Output) -> Output {
    assert!(output.status.success(), "hark failed: {}{}", stdout(&output), stderr(&output));
    for text in [stdout(&output), stderr(&output)] {
        assert!(!text.contains(PASSWORD), "the password was printed: {text}");
    }
    output
}

fn login(data: &Path, server: &str, device: &str) {
    let output =
        hark_with(data, &["sync", "login", server, "alice", "--device", device], &[("HARK_SYNC_PASSWORD", PASSWORD)]);
    let output = ok(output);
    assert!(stdout(&output).contains("Logged in"), "{}", stdout(&output));
}

/// A WAV file of `secs` seconds at 8 kHz.
fn tone(secs: f64) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.wav");
    common::audio::write_tone_wav(&path, secs, 440.0);
    std::fs::read(path).unwrap()
}

/// "Sync Show": "Long One" (100 s, the feed says 10:00) and "Short Two" (2 s).
fn serve_show(server: &TestServer) -> String {
    server.set("/one.wav", Route::ok(tone(100.0), "audio/wav"));
    server.set("/two.wav", Route::ok(tone(2.0), "audio/wav"));
    let item = |guid: &str, title: &str, url: String, duration: &str, day: u32| {
        format!(
            "<item><guid>{guid}</guid><title>{title}</title><pubDate>Mon, {day:02} Jan 2024 10:00:00 GMT</pubDate>\
             <itunes:duration>{duration}</itunes:duration><enclosure url=\"{url}\" type=\"audio/wav\"/></item>"
        )
    };
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
         <channel><title>Sync Show</title><description>d</description>{}{}</channel></rss>",
        item("one", "Long One", server.url("/one.wav"), "10:00", 2),
        item("two", "Short Two", server.url("/two.wav"), "0:02", 1),
    );
    server.set("/feed.xml", Route::ok(feed, "application/rss+xml"));
    server.url("/feed.xml")
}

/// (position, played) of the episode titled `title`, or None when not in the library.
fn episode(data: &Path, title: &str) -> Option<(f64, bool)> {
    let output = ok(hark(data, &["episodes", "--json"]));
    let episodes: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = episodes.as_array().unwrap().iter().find(|e| e["title"] == title)?.clone();
    Some((found["position_secs"].as_f64().unwrap(), found["played"].as_bool().unwrap()))
}

fn podcasts(data: &Path) -> Vec<String> {
    let output = ok(hark(data, &["podcasts", "--json"]));
    let shows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    shows.as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_string()).collect()
}

fn pending(data: &Path) -> u64 {
    let output = ok(hark(data, &["sync", "status", "--json"]));
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    status["pending_actions"].as_u64().unwrap()
}

/// The password in no file of the data folder (the library, its WAL, …) but the one file
/// meant to keep it when there is no secret store.
fn assert_password_only_in_its_file(data: &Path) {
    for entry in std::fs::read_dir(data).unwrap().flatten() {
        let path = entry.path();
        if !path.is_file() || path.file_name() == Some("sync-password".as_ref()) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let found = bytes.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes());
        assert!(!found, "the password is in {}", path.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("sync-password")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the user can read the password file");
    }
}

#[test]
fn two_devices_share_shows_positions_played_state_and_removals() {
    let Some(podsync) = Podsync::start(Backend::Sql) else { return };
    podsync.add_user("alice", PASSWORD);
    let feeds = TestServer::start();
    let feed = serve_show(&feeds);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path(), b.path());

    // A subscribes and listens to 0:40 of the long episode.
    ok(hark(a, &["subscribe", &feed]));
    login(a, &podsync.url(), "desk-a");
    ok(hark(a, &["play", "Long One", "--from", "0:37", "--sleep", "3s"]));
    let (at_a, _) = episode(a, "Long One").unwrap();
    assert!((39.5..41.0).contains(&at_a), "A stopped at {at_a}");

    let synced = ok(hark(a, &["sync"]));
    assert!(stdout(&synced).contains("sent"), "{}", stdout(&synced));
    login(b, &podsync.url(), "desk-b");
    let synced = ok(hark(b, &["sync"]));
    assert!(stdout(&synced).contains("+1 subscription"), "{}", stdout(&synced));
    assert_eq!(podcasts(b), ["Sync Show"], "B follows what A follows");
    let (at_b, played) = episode(b, "Long One").unwrap();
    assert!((at_b - at_a).abs() <= 1.0 && !played, "B resumes at {at_b}, A stopped at {at_a}");

    // B listens on to 1:10 and hears the short one to its end.
    ok(hark(b, &["play", "Long One", "--from", "1:07", "--sleep", "3s"]));
    ok(hark(b, &["play", "Short Two"]));
    let (at_b, _) = episode(b, "Long One").unwrap();
    assert!((69.5..71.0).contains(&at_b), "B stopped at {at_b}");
    assert!(episode(b, "Short Two").unwrap().1, "played on B");
    ok(hark(b, &["sync"]));
    let synced = ok(hark(a, &["sync"]));
    assert!(stdout(&synced).contains("1 position") && stdout(&synced).contains("1 played"), "{}", stdout(&synced));
    let (at_a, _) = episode(a, "Long One").unwrap();
    assert!((at_a - at_b).abs() <= 1.0, "A resumes at {at_a}, B stopped at {at_b}");
    assert!(episode(a, "Short Two").unwrap().1, "played on A too");

    // Nothing moved since: the next sync says so and sends nothing.
    let again = ok(hark(a, &["sync"]));
    assert_eq!(stdout(&again).trim(), "nothing new");

    // A unsubscribes; after both sync, B no longer follows the show.
    ok(hark(a, &["remove", "Sync Show"]));
    ok(hark(a, &["sync"]));
    let synced = ok(hark(b, &["sync"]));
    assert!(stdout(&synced).contains("−1"), "{}", stdout(&synced));
    assert!(podcasts(b).is_empty(), "B follows {:?}", podcasts(b));
    for data in [a, b] {
        assert_password_only_in_its_file(data);
    }
}

/// A third client, as AntennaPod writes and reads actions, with plain HTTP from the API
/// reference: it reads Hark's actions with their fields, and Hark reads its actions, whatever
/// its clock says (an hour behind, an hour ahead) and whatever tracking prefix its URL has.
#[test]
fn a_third_client_reads_harks_actions_and_hark_reads_its_own_across_clock_skew() {
    let Some(podsync) = Podsync::start(Backend::Sql) else { return };
    podsync.add_user("alice", PASSWORD);
    let feeds = TestServer::start();
    let feed = serve_show(&feeds);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    ok(hark(data, &["subscribe", &feed]));
    login(data, &podsync.url(), "desk-a");
    ok(hark(data, &["play", "Long One", "--from", "0:20", "--sleep", "2s"]));
    ok(hark(data, &["sync"]));

    let episodes = format!("{}/api/2/episodes/alice.json?since=0", podsync.url());
    let (status, body) = http("GET", &episodes, Some(("alice", PASSWORD)), None);
    assert_eq!(status, 200, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let actions = answer["actions"].as_array().unwrap();
    let play = actions.iter().find(|a| a["episode"] == feeds.url("/one.wav")).expect("Hark's action");
    assert_eq!(play["podcast"], feed);
    assert_eq!(play["action"], "play");
    assert_eq!(play["guid"], "one");
    assert_eq!(play["device"], "desk-a");
    assert_eq!(play["total"], 600, "the feed's length");
    let position = play["position"].as_i64().unwrap();
    assert!((21..=23).contains(&position), "position {position}");
    assert!(play["started"].as_i64().unwrap() <= position);
    let timestamp = play["timestamp"].as_str().unwrap();
    let parsed = chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S").expect(timestamp);
    assert!((chrono::Utc::now().naive_utc() - parsed).num_seconds().abs() < 120, "UTC, without a zone: {timestamp}");

    // The phone's clock is an hour behind: its action still counts, as it arrived after Hark's.
    let behind = (chrono::Utc::now() - chrono::TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%S");
    let tracked = format!(
        "https://dts.podtrac.com/redirect.mp3/{}?from=phone",
        feeds.url("/one.wav").trim_start_matches("http://")
    );
    let phone = serde_json::json!([{ "podcast": feed, "episode": tracked, "device": "phone", "action": "play",
        "timestamp": behind.to_string(), "started": 30, "position": 95, "total": 100 }]);
    let (status, body) =
        http("POST", &episodes.replace("?since=0", ""), Some(("alice", PASSWORD)), Some(&phone.to_string()));
    assert_eq!(status, 200, "{body}");
    let synced = ok(hark(data, &["sync"]));
    assert!(stdout(&synced).contains("1 position"), "{}", stdout(&synced));
    let (at, played) = episode(data, "Long One").unwrap();
    assert_eq!(at, 95.0, "matched through the tracking prefix and query");
    assert!(played, "within the played margin of the phone's total (100 s)");

    // An hour ahead, and by guid alone (another address): it moves the short one.
    let ahead = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%S");
    let phone = serde_json::json!([{ "podcast": feed, "episode": "https://elsewhere.example/2.mp3", "guid": "two",
        "device": "phone", "action": "new", "timestamp": ahead.to_string() }]);
    http("POST", &episodes.replace("?since=0", ""), Some(("alice", PASSWORD)), Some(&phone.to_string()));
    ok(hark(data, &["play", "Short Two"]));
    assert!(episode(data, "Short Two").unwrap().1);
    // Both changed (played here, "new" there): the furthest wins, played, and is sent as of now.
    ok(hark(data, &["sync"]));
    assert!(episode(data, "Short Two").unwrap().1, "a place listened to is never lost");
    let (_, body) = http("GET", &episodes, Some(("alice", PASSWORD)), None);
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    let two = answer["actions"].as_array().unwrap().iter().find(|a| a["episode"] == feeds.url("/two.wav")).cloned();
    assert_eq!(two.expect("Hark's played")["action"], "play");
}

#[test]
fn faults_are_one_calm_line_and_lose_or_repeat_nothing() {
    let Some(mut podsync) = Podsync::start(Backend::Sql) else { return };
    podsync.add_user("alice", PASSWORD);
    let proxy = Proxy::start(podsync.port);
    let feeds = TestServer::start();
    let feed = serve_show(&feeds);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    ok(hark(data, &["subscribe", &feed]));
    login(data, &proxy.url(), "desk-a");
    let library_positions = |n: usize| {
        // Positions written the way a listen writes them (the library records each change).
        let mut library = hark::library::Library::open(&data.join("library.sqlite3")).unwrap();
        for e in library.episodes(None).unwrap().into_iter().take(n) {
            library.set_position(e.id, 12.0).unwrap();
        }
    };
    library_positions(2);
    assert_eq!(pending(data), 3, "the subscription and two positions wait");

    // Server down: one line, nothing lost; back up, the next sync completes.
    podsync.stop();
    let down = hark(data, &["sync"]);
    assert!(!down.status.success());
    let line = stderr(&down);
    assert_eq!(line.trim().lines().count(), 1, "{line}");
    assert!(line.contains("Couldn't reach") || line.contains("HTTP 5"), "{line}");
    assert_eq!(pending(data), 3);
    podsync.run();

    // Wrong password: said as such, nothing lost.
    podsync.set_password("alice", "changed on the server");
    let refused = hark(data, &["sync"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("refused the password for alice (HTTP 401)"), "{}", stderr(&refused));
    assert!(!stderr(&refused).contains(PASSWORD));
    podsync.set_password("alice", PASSWORD);
    let status = ok(hark(data, &["sync", "status"]));
    assert!(stdout(&status).contains("Last attempt failed: "), "{}", stdout(&status));

    // A reply cut short after the server took the actions: the next sync sends none again.
    proxy.inject("POST", "/api/2/episodes/", 0, Fault::CutReply);
    let cut = hark(data, &["sync"]);
    assert!(!cut.status.success(), "{}", stdout(&cut));
    assert_eq!(stderr(&cut).trim().lines().count(), 1, "{}", stderr(&cut));
    assert_eq!(pending(data), 2, "the subscription went; the positions' answer was lost");
    proxy.clear_log();
    ok(hark(data, &["sync"]));
    assert_eq!(pending(data), 0);
    let posted: Vec<_> =
        proxy.log().into_iter().filter(|p| p.method == "POST" && p.path.contains("/episodes/")).collect();
    assert!(posted.is_empty(), "sent again: {posted:?}");

    // A 500 in the middle of an upload: what was confirmed is not sent again.
    let many = many_episodes(&feeds, 1200);
    ok(hark(data, &["subscribe", &many]));
    library_positions(1202);
    proxy.inject("POST", "/api/2/episodes/", 1, Fault::Status(500));
    proxy.clear_log();
    let failed = hark(data, &["sync"]);
    assert!(stderr(&failed).contains("HTTP 500 (server error)"), "{}", stderr(&failed));
    let left = pending(data);
    assert!(left > 0 && left < 1203, "{left} left");
    ok(hark(data, &["sync"]));
    assert_eq!(pending(data), 0);
    let mut sent: Vec<String> = Vec::new();
    for post in proxy.log().iter().filter(|p| p.method == "POST" && p.path.contains("/episodes/") && p.status == 200) {
        let actions: serde_json::Value = serde_json::from_str(&post.body).unwrap();
        assert!(actions.as_array().unwrap().len() <= 500, "batches of at most 500");
        sent.extend(actions.as_array().unwrap().iter().map(|a| a["episode"].as_str().unwrap().to_string()));
    }
    let mut unique = sent.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), sent.len(), "nothing sent twice");
    assert_eq!(sent.len(), 1202, "every position arrived");

    // The server rewrote a feed's address (update_urls): Hark follows it there, and sends the
    // subscription once.
    let old = feeds.url("/old.xml");
    let renamed = feeds.url("/new.xml");
    feeds.set("/new.xml", Route::ok(feed_of(&feeds, 1), "application/rss+xml"));
    feeds.set("/old.xml", Route::ok(feed_of(&feeds, 1), "application/rss+xml"));
    ok(hark(data, &["remove", "Many"]));
    ok(hark(data, &["subscribe", &old]));
    proxy.inject("POST", "/api/2/subscriptions/", 0, Fault::RewriteUpdateUrls(old.clone(), renamed.clone()));
    proxy.clear_log();
    ok(hark(data, &["sync"]));
    let shows = ok(hark(data, &["podcasts", "--json"]));
    let shows: serde_json::Value = serde_json::from_slice(&shows.stdout).unwrap();
    let urls: Vec<&str> = shows.as_array().unwrap().iter().map(|p| p["feed_url"].as_str().unwrap()).collect();
    assert!(urls.contains(&renamed.as_str()) && !urls.contains(&old.as_str()), "{urls:?}");
    ok(hark(data, &["refresh"]));
    proxy.clear_log();
    let again = ok(hark(data, &["sync"]));
    assert_eq!(stdout(&again).trim(), "nothing new");
    let posts: Vec<_> = proxy.log().into_iter().filter(|p| p.method == "POST" && !p.path.contains("/auth/")).collect();
    assert!(posts.is_empty(), "nothing sent twice: {posts:?}");
}

/// The feed of a show "Many" of `count` episodes.
fn feed_of(server: &TestServer, count: usize) -> String {
    let items: String = (0..count)
        .map(|i| {
            format!(
                "<item><guid>m{i}</guid><title>Many {i}</title><itunes:duration>10:00</itunes:duration>\
                 <enclosure url=\"{}\" type=\"audio/mpeg\"/></item>",
                server.url(&format!("/m/{i}.mp3"))
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
         <channel><title>Many</title><description>d</description>{items}</channel></rss>"
    )
}

/// A show "Many" of `count` episodes, served at /many.xml.
fn many_episodes(server: &TestServer, count: usize) -> String {
    server.set("/many.xml", Route::ok(feed_of(server, count), "application/rss+xml"));
    server.url("/many.xml")
}

/// podsync's default file backend reads back only devices of type mobile: once Hark registered
/// as a desktop, every device call of the account fails with 500. One clear line, nothing lost,
/// and the episode actions (and this device's own subscriptions) keep syncing.
#[test]
fn the_file_backend_says_what_it_cannot_do_and_syncs_the_rest() {
    let Some(podsync) = Podsync::start(Backend::File) else { return };
    podsync.add_user("alice", PASSWORD);
    let feeds = TestServer::start();
    let feed = serve_show(&feeds);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (a.path(), b.path());
    ok(hark(a, &["subscribe", &feed]));
    login(a, &podsync.url(), "desk-a");
    ok(hark(a, &["play", "Long One", "--from", "0:37", "--sleep", "3s"]));
    for _ in 0..2 {
        let synced = ok(hark(a, &["sync"]));
        let said = stderr(&synced);
        assert_eq!(said.trim().lines().count(), 1, "{said}");
        assert!(said.contains("would not list this account's devices") && said.contains("HTTP 500"), "{said}");
        assert_eq!(pending(a), 0, "sent all the same");
    }

    // B follows the show by hand (the server cannot say what A follows) and gets A's place.
    ok(hark(b, &["subscribe", &feed]));
    login(b, &podsync.url(), "desk-b");
    let synced = ok(hark(b, &["sync"]));
    assert!(stderr(&synced).trim().lines().count() <= 2, "{}", stderr(&synced));
    let (at_a, at_b) = (episode(a, "Long One").unwrap().0, episode(b, "Long One").unwrap().0);
    assert!((at_a - at_b).abs() <= 1.0, "B at {at_b}, A at {at_a}");
    ok(hark(b, &["play", "Long One", "--from", "1:07", "--sleep", "3s"]));
    ok(hark(b, &["sync"]));
    ok(hark(a, &["sync"]));
    let (at_a, at_b) = (episode(a, "Long One").unwrap().0, episode(b, "Long One").unwrap().0);
    assert!((at_a - at_b).abs() <= 1.0 && at_a > 60.0, "A at {at_a}, B at {at_b}");
    // The file backend answers every action every time: nothing moves twice.
    assert_eq!(stdout(&ok(hark(a, &["sync"]))).trim(), "nothing new");
}

/// The password is in no log (even at trace level), no error line, and no process's command line
/// while a sync runs.
#[test]
fn the_password_shows_nowhere() {
    let Some(podsync) = Podsync::start(Backend::Sql) else { return };
    podsync.add_user("alice", PASSWORD);
    let proxy = Proxy::start(podsync.port);
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    login(data, &proxy.url(), "desk-a");
    proxy.inject("GET", "/api/2/episodes/", 0, Fault::Delay(std::time::Duration::from_secs(2)));
    let child = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data)
        .arg("sync")
        .env("HARK_SECRET_STORE", "file")
        .env("HARK_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let mut lines = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            lines += 1;
            let found = cmdline.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes());
            assert!(!found, "the password is on the command line of {}", entry.path().display());
        }
    }
    assert!(lines > 1, "the process list was read");
    let output = ok(child.wait_with_output().unwrap());
    let log = stderr(&output);
    assert!(log.contains("TRACE") || log.contains("DEBUG") || log.contains("INFO"), "logs were written: {log}");
    let encoded = common::gpodder::basic_auth("alice", PASSWORD);
    assert!(!log.contains(encoded.trim_start_matches("Basic ")), "the encoded password is in the log");
    podsync.set_password("alice", "another");
    let refused = hark(data, &["sync"]);
    assert!(!stderr(&refused).contains(PASSWORD) && !stdout(&refused).contains(PASSWORD));
    assert_password_only_in_its_file(data);
}
