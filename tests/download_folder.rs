//! The download folder (`download-folder`): moving it moves every download — finished files and
//! the part file of one still arriving — without losing a byte or a row, from the window's net
//! service (a download running meanwhile carries on in the new folder) and from `hark config`;
//! a folder that can't be used changes nothing.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::channel;

use common::cli::{hark, stderr, stdout};
use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::library::Library;
use hark::model::EpisodeId;
use hark::net::{NetCommand, NetEvent, NetService, OnStart};
use sha2::{Digest, Sha256};

fn audio(len: usize) -> Vec<u8> {
    common::fixture_bytes("tone-noxing.mp3").iter().copied().cycle().take(len).collect()
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// A library following a feed with one episode per audio path.
fn library_with(data: &Path, server: &TestServer, paths: &[&str]) -> Vec<EpisodeId> {
    common::init();
    std::fs::create_dir_all(data).unwrap();
    let urls: Vec<String> = paths.iter().map(|p| server.url(p)).collect();
    let guids: Vec<String> = (0..paths.len()).map(|i| format!("e{i}")).collect();
    let items: Vec<Item<'_>> = urls.iter().zip(&guids).map(|(url, guid)| Item { guid, title: guid, url }).collect();
    server.set("/feed.xml", Route::ok(rss("Moving", &items), "application/rss+xml"));
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime
        .block_on(hark::net::refresh::subscribe(&hark::http::client(), &mut library, &server.url("/feed.xml")))
        .unwrap();
    let mut ids: Vec<(String, EpisodeId)> =
        library.episodes(None).unwrap().into_iter().map(|e| (e.title, e.id)).collect();
    ids.sort();
    ids.into_iter().map(|(_, id)| id).collect()
}

fn path_of(data: &Path, episode: EpisodeId) -> Option<PathBuf> {
    let library = Library::open(&data.join("library.sqlite3")).unwrap();
    library.episode(episode).unwrap().summary.path.map(PathBuf::from)
}

#[test]
fn the_window_moves_finished_and_running_downloads_and_the_running_one_carries_on_there() {
    let server = TestServer::start();
    let (done_body, slow_body) = (audio(200_000), audio(900_000));
    server.set("/done.mp3", Route::ok(done_body.clone(), "audio/mpeg"));
    let mut slow = Route::ok(slow_body.clone(), "audio/mpeg").with_etag("\"s\"");
    slow.throttle = Some(200_000);
    server.set("/slow.mp3", slow);
    let data = tempfile::tempdir().unwrap();
    let ids = library_with(data.path(), &server, &["/done.mp3", "/slow.mp3"]);
    let (finished, running) = (ids[0], ids[1]);
    let (net_tx, events) = channel();
    let paths = hark::paths::AppPaths::inside(data.path());
    let net = NetService::spawn(paths, net_tx, Arc::new(hark::NoWaker), OnStart::ResumeDownloads).unwrap();
    net.send(NetCommand::Download { episode: finished });
    common::wait_for_event(
        &events,
        "the first download",
        |e| matches!(e, NetEvent::DownloadDone { episode, .. } if *episode == finished),
    );
    let old = path_of(data.path(), finished).unwrap();
    net.send(NetCommand::Download { episode: running });
    common::wait_for_event(
        &events,
        "bytes of the second",
        |e| matches!(e, NetEvent::DownloadProgress { episode, bytes, .. } if *episode == running && *bytes > 100_000),
    );

    let elsewhere = tempfile::tempdir().unwrap();
    let to = elsewhere.path().join("Podcasts");
    net.send(NetCommand::MoveDownloads { to: to.clone() });
    let NetEvent::DownloadsMoved { result } =
        common::wait_for_event(&events, "the move", |e| matches!(e, NetEvent::DownloadsMoved { .. }))
    else {
        unreachable!()
    };
    let moved = result.expect("moved");
    assert_eq!((moved.files, moved.bytes), (1, 200_000));
    let new = path_of(data.path(), finished).unwrap();
    assert_eq!(new.parent().unwrap(), to, "the library names the new place");
    assert_eq!(sha(&std::fs::read(&new).unwrap()), sha(&done_body));
    assert!(!old.exists(), "the old copy is gone once the library names the new one");

    server.set_throttle("/slow.mp3", None);
    let NetEvent::DownloadDone { path, .. } = common::wait_for_event(
        &events,
        "the moved download to finish",
        |e| matches!(e, NetEvent::DownloadDone { episode, .. } if *episode == running),
    ) else {
        unreachable!()
    };
    assert_eq!(path.parent().unwrap(), to, "it finished in the new folder");
    assert_eq!(sha(&std::fs::read(&path).unwrap()), sha(&slow_body), "byte-exact across the move");
    let resumed = server.requests("/slow.mp3").pop().unwrap();
    assert!(
        resumed.header("range").is_some_and(|r| r != "bytes=0-"),
        "it carried on from what had arrived: {:?}",
        resumed.header("range")
    );
    let leftovers: Vec<_> = std::fs::read_dir(data.path().join("downloads")).unwrap().flatten().collect();
    assert!(leftovers.is_empty(), "nothing left in the old folder: {leftovers:?}");
    drop(net);
    let said = hark(data.path(), &["config", "download-folder"]);
    assert_eq!(stdout(&said).trim(), to.display().to_string());
}

#[test]
fn hark_config_moves_the_downloads_and_back_and_a_folder_it_cannot_use_changes_nothing() {
    let server = TestServer::start();
    let body = audio(150_000);
    server.set("/a.mp3", Route::ok(body.clone(), "audio/mpeg"));
    let data = tempfile::tempdir().unwrap();
    let episode = library_with(data.path(), &server, &["/a.mp3"])[0];
    assert!(hark(data.path(), &["download", &episode.0.to_string()]).status.success());
    let first = path_of(data.path(), episode).unwrap();
    assert!(first.starts_with(data.path().join("downloads")));

    // Refused in one line naming what it takes, and nothing moves.
    let relative = hark(data.path(), &["config", "download-folder", "podcasts/here"]);
    assert!(!relative.status.success());
    assert_eq!(
        stderr(&relative).trim(),
        "error: download-folder cannot be \"podcasts/here\": it takes a folder's full path \
         (such as /media/disk/podcasts), or default"
    );
    let blocker = data.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let under_a_file = hark(data.path(), &["config", "download-folder", blocker.join("sub").to_str().unwrap()]);
    assert!(!under_a_file.status.success());
    assert!(stderr(&under_a_file).contains("Couldn't create"), "{}", stderr(&under_a_file));
    assert_eq!(path_of(data.path(), episode).unwrap(), first, "nothing moved");
    assert_eq!(stdout(&hark(data.path(), &["config", "download-folder"])).trim(), "default");

    // A file of the same name already there is kept; the download takes another name.
    let elsewhere = tempfile::tempdir().unwrap();
    let taken = elsewhere.path().join(first.file_name().unwrap());
    std::fs::write(&taken, "someone else's").unwrap();
    let moved = hark(data.path(), &["config", "download-folder", elsewhere.path().to_str().unwrap()]);
    assert!(moved.status.success(), "{}", stderr(&moved));
    assert!(stdout(&moved).contains("moved 1 download"), "{}", stdout(&moved));
    let there = path_of(data.path(), episode).unwrap();
    assert_eq!(there.parent().unwrap(), elsewhere.path());
    assert_ne!(there, taken);
    assert_eq!(std::fs::read(&taken).unwrap(), b"someone else's");
    assert_eq!(sha(&std::fs::read(&there).unwrap()), sha(&body));
    assert!(!first.exists());

    // New downloads go there; `default` brings everything home.
    let back = hark(data.path(), &["config", "download-folder", "default"]);
    assert!(back.status.success(), "{}", stderr(&back));
    let home = path_of(data.path(), episode).unwrap();
    assert!(home.starts_with(data.path().join("downloads")), "{}", home.display());
    assert_eq!(sha(&std::fs::read(&home).unwrap()), sha(&body));
    assert_eq!(stdout(&hark(data.path(), &["config", "download-folder"])).trim(), "default");
}

#[test]
fn downloads_go_to_the_chosen_folder() {
    let server = TestServer::start();
    server.set("/b.mp3", Route::ok(audio(120_000), "audio/mpeg"));
    let data = tempfile::tempdir().unwrap();
    let episode = library_with(data.path(), &server, &["/b.mp3"])[0];
    let chosen = tempfile::tempdir().unwrap();
    let set = hark(data.path(), &["config", "download-folder", chosen.path().to_str().unwrap()]);
    assert!(set.status.success(), "{}", stderr(&set));
    assert!(hark(data.path(), &["download", &episode.0.to_string()]).status.success());
    assert_eq!(path_of(data.path(), episode).unwrap().parent().unwrap(), chosen.path());
}
