//! MPRIS on a real (private) session bus: the desktop finds Hark's launcher entry through
//! `DesktopEntry`, reads what plays, and its Play/Pause reaches the listening session.
//! Its own test binary: it points the process at the private bus through the environment.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use hark::app::{AppOptions, HarkApp};
use hark::desktop::APP_ID;
use hark::library::Library;
use hark::paths::AppPaths;
use hark::player::OutputChoice;

/// `dbus-send` as the desktop would ask; the printed reply.
fn ask(bus: &common::bus::Bus, args: &[&str]) -> String {
    let out = Command::new("dbus-send")
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .args(["--session", "--print-reply", "--dest=org.mpris.MediaPlayer2.hark", "/org/mpris/MediaPlayer2"])
        .args(args)
        .output()
        .expect("dbus-send is needed");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn property(bus: &common::bus::Bus, interface: &str, name: &str) -> String {
    ask(bus, &["org.freedesktop.DBus.Properties.Get", &format!("string:{interface}"), &format!("string:{name}")])
}

#[test]
fn the_desktop_finds_harks_entry_reads_what_plays_and_its_play_pause_works() {
    common::init();
    let bus = common::bus::private_bus();
    // SAFETY: this test binary has this one test; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address) };
    let data = tempfile::tempdir().unwrap();
    let paths = AppPaths::inside(data.path());
    let options =
        |media_keys| AppOptions { audio: OutputChoice::Null, timed_refresh: false, media_keys, directories: None };
    // A first launch installs the demo show; the second holds its first episode, paused.
    drop(HarkApp::new(&egui::Context::default(), paths.clone(), options(false)).unwrap());
    let (episode, next) = {
        let mut library = Library::open(&paths.database()).unwrap();
        let episodes = library.episodes(None).unwrap();
        let episode = episodes.iter().find(|e| e.title == "Welcome to Hark").unwrap().clone();
        let next = episodes.iter().find(|e| e.id != episode.id).expect("the demo has a second episode").clone();
        library.set_setting("last_episode", &episode.id.to_string()).unwrap();
        library.set_queue(&[next.id]).unwrap();
        (episode, next)
    };
    let options = options(true);
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| HarkApp::new(&cc.egui_ctx, paths, options).expect("the app starts"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let until = |harness: &mut Harness<'_, HarkApp>, what: &str, done: &dyn Fn(&Harness<'_, HarkApp>) -> bool| {
        while !done(harness) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            harness.step();
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    until(&mut harness, "the bus name", &|_| property(&bus, "org.mpris.MediaPlayer2", "Identity").contains("Hark"));
    assert!(property(&bus, "org.mpris.MediaPlayer2", "DesktopEntry").contains(&format!("\"{APP_ID}\"")));

    until(&mut harness, "the metadata", &|_| {
        property(&bus, "org.mpris.MediaPlayer2.Player", "Metadata").contains(&episode.title)
    });
    assert!(property(&bus, "org.mpris.MediaPlayer2.Player", "PlaybackStatus").contains("\"Paused\""));

    ask(&bus, &["org.mpris.MediaPlayer2.Player.PlayPause"]);
    until(&mut harness, "playing", &|h| h.state().listening().playback().is_playing());
    until(&mut harness, "the playing status", &|_| {
        property(&bus, "org.mpris.MediaPlayer2.Player", "PlaybackStatus").contains("\"Playing\"")
    });

    ask(&bus, &["org.mpris.MediaPlayer2.Player.PlayPause"]);
    until(&mut harness, "the pause", &|h| !h.state().listening().playback().is_playing());
    until(&mut harness, "the paused status", &|_| {
        property(&bus, "org.mpris.MediaPlayer2.Player", "PlaybackStatus").contains("\"Paused\"")
    });

    // Seek (relative, µs) and SetPosition (absolute, for the current track only).
    let position = |h: &Harness<'_, HarkApp>| h.state().listening().position_secs();
    let before = position(&harness);
    ask(&bus, &["org.mpris.MediaPlayer2.Player.Seek", "int64:5000000"]);
    until(&mut harness, "the seek", &|h| (position(h) - before - 5.0).abs() < 0.5);
    let track = format!("objpath:/io/github/hark/Hark/episode/{}", episode.id.0);
    ask(&bus, &["org.mpris.MediaPlayer2.Player.SetPosition", &track, "int64:2000000"]);
    until(&mut harness, "the position set", &|h| (position(h) - 2.0).abs() < 0.5);
    let other = format!("objpath:/io/github/hark/Hark/episode/{}", next.id.0);
    ask(&bus, &["org.mpris.MediaPlayer2.Player.SetPosition", &other, "int64:9000000"]);
    for _ in 0..10 {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!((position(&harness) - 2.0).abs() < 0.5, "a position for another track is ignored");

    // Next plays the first of Up Next; Previous goes back to the one before.
    ask(&bus, &["org.mpris.MediaPlayer2.Player.Next"]);
    until(&mut harness, "the next episode", &|h| h.state().listening().playback().episode() == Some(next.id));
    until(&mut harness, "its metadata", &|_| {
        property(&bus, "org.mpris.MediaPlayer2.Player", "Metadata").contains(&next.title)
    });
    ask(&bus, &["org.mpris.MediaPlayer2.Player.Previous"]);
    until(&mut harness, "the previous episode", &|h| h.state().listening().playback().episode() == Some(episode.id));
}
