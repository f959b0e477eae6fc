//! An OPML import through the net service: each feed subscribed in the background, progress
//! reported per feed, failures named.

mod common;

use std::sync::Arc;
use std::sync::mpsc::channel;
use std::time::Duration;

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::net::{NetCommand, NetEvent, NetService, OnStart, RequestId};

#[test]
fn an_import_subscribes_each_feed_and_names_the_failures() {
    common::init();
    let server = TestServer::start();
    let items = [Item { guid: "1", title: "One", url: "http://127.0.0.1:9/1.mp3" }];
    for name in ["a", "b"] {
        server.set(&format!("/{name}.xml"), Route::ok(rss(&format!("Show {name}"), &items), "application/rss+xml"));
    }
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path()).unwrap();
    let (tx, events) = channel();
    let net = NetService::spawn(hark::paths::AppPaths::inside(data.path()), tx, Arc::new(hark::NoWaker), OnStart::Idle)
        .unwrap();
    let urls = vec![server.url("/a.xml"), server.url("/missing.xml"), server.url("/b.xml")];
    net.send(NetCommand::Import { request: RequestId(9), urls });
    let mut progress = Vec::new();
    while progress.len() < 3 {
        if let NetEvent::ImportProgress { request, done, total, url, result } =
            events.recv_timeout(Duration::from_secs(20)).expect("import progress")
        {
            assert_eq!((request, total), (RequestId(9), 3));
            progress.push((done, url, result));
        }
    }
    let dones: Vec<usize> = progress.iter().map(|(done, _, _)| *done).collect();
    assert_eq!(dones, vec![1, 2, 3]);
    let failed: Vec<_> =
        progress.iter().filter_map(|(_, url, r)| r.as_ref().err().map(|e| (url.clone(), e.clone()))).collect();
    assert_eq!(failed, vec![(server.url("/missing.xml"), "127.0.0.1 says it isn't there (HTTP 404)".to_string())]);
    drop(net);
    let library = hark::library::Library::open(&data.path().join("library.sqlite3")).unwrap();
    let mut titles: Vec<String> = library.podcasts().unwrap().into_iter().map(|p| p.title).collect();
    titles.sort();
    assert_eq!(titles, vec!["Show a", "Show b"]);
}
