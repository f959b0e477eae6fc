//! Finding shows: the podcast directories (a loopback stand-in speaking the iTunes Search and
//! Podcast Index answers, checking the requests), and full-text search of the library.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::feeds::{Item, rss};
use common::server::{Route, TestServer};
use hark::library::{Field, Library};

const KEY: &str = "TESTKEY";
const SECRET: &str = "TESTSECRET";

fn hark(data: &Path, server: Option<&TestServer>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hark"));
    command.arg("--data-dir").arg(data).args(args).env_remove("HARK_DATA_DIR");
    if let Some(server) = server {
        command
            .env("HARK_ITUNES_URL", server.url(""))
            .env("HARK_PODCASTINDEX_URL", server.url(""))
            .env("HARK_PODCASTINDEX_KEY", KEY)
            .env("HARK_PODCASTINDEX_SECRET", SECRET);
    }
    command.output().expect("run hark")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A directory stand-in: iTunes Search at `/search`, the Podcast Index at
/// `/api/1.0/search/byterm`, both pointing at feeds on the same server.
fn directory(server: &TestServer) {
    let items = [Item { guid: "a", title: "Opening Night", url: "http://127.0.0.1:9/a.mp3" }];
    server.set("/theatre.xml", Route::ok(rss("Theatre Talk", &items), "application/rss+xml"));
    server.set("/stage.xml", Route::ok(rss("Stage Door", &items), "application/rss+xml"));
    let itunes = format!(
        "\n\n\n{{\"resultCount\":2,\"results\":[\
         {{\"collectionName\":\"Theatre Talk\",\"artistName\":\"Ann Critic\",\"feedUrl\":\"{}\",\
           \"artworkUrl600\":\"{}\",\"trackCount\":12,\"primaryGenreName\":\"Performing Arts\"}},\
         {{\"collectionName\":\"No Feed Show\",\"artistName\":\"X\"}}]}}",
        server.url("/theatre.xml"),
        server.url("/art.png")
    );
    server.set("/search", Route::ok(itunes, "text/javascript; charset=utf-8"));
    // The same feed spelled a little differently: still one show.
    let theatre_spelled_differently = format!("{}/", server.url("/theatre.xml"));
    let index = format!(
        "{{\"status\":\"true\",\"feeds\":[\
         {{\"title\":\"Theatre Talk\",\"author\":\"Ann Critic\",\"url\":\"{}\",\"episodeCount\":12,\
           \"categories\":{{\"1\":\"Arts\"}}}},\
         {{\"title\":\"Stage Door\",\"author\":\"Bo Usher\",\"url\":\"{}\",\"artwork\":\"\",\"episodeCount\":3,\
           \"categories\":{{\"2\":\"Theatre\"}}}}],\"count\":2}}",
        theatre_spelled_differently,
        server.url("/stage.xml")
    );
    server.set("/api/1.0/search/byterm", Route::ok(index, "application/json"));
}

#[test]
fn discover_asks_both_directories_merges_by_feed_and_subscribes_from_a_result() {
    common::init();
    let server = TestServer::start();
    directory(&server);
    let data = tempfile::tempdir().unwrap();
    let output = hark(data.path(), Some(&server), &["discover", "théâtre talk", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let shows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let shows = shows.as_array().unwrap();
    assert_eq!(shows.len(), 2, "one per feed, none without a feed: {shows:#?}");
    assert_eq!(shows[0]["title"], "Theatre Talk");
    assert_eq!(shows[0]["author"], "Ann Critic");
    assert_eq!(shows[0]["episodes"], 12);
    assert_eq!(shows[0]["genre"], "Performing Arts");
    assert_eq!(shows[0]["source"], "itunes");
    assert_eq!(shows[0]["artwork_url"], server.url("/art.png"));
    assert_eq!(shows[1]["title"], "Stage Door");
    assert_eq!(shows[1]["source"], "podcastindex");
    assert_eq!(shows[1]["artwork_url"], serde_json::Value::Null, "an empty artwork is none");

    let itunes = &server.requests("/search")[0];
    let query: Vec<(String, String)> =
        url::Url::parse(&format!("http://x{}", itunes.path)).unwrap().query_pairs().into_owned().collect();
    for (key, value) in [("term", "théâtre talk"), ("media", "podcast"), ("entity", "podcast")] {
        assert!(query.contains(&(key.to_string(), value.to_string())), "{key}={value} in {query:?}");
    }
    let index = &server.requests("/api/1.0/search/byterm")[0];
    assert_eq!(index.header("x-auth-key"), Some(KEY));
    let date: u64 = index.header("x-auth-date").expect("X-Auth-Date").parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(now.abs_diff(date) < 60, "the current time");
    assert_eq!(
        index.header("authorization").map(str::to_string),
        Some(hark::net::directory::podcast_index_authorization(KEY, SECRET, date)),
        "SHA-1 of key, secret and date"
    );
    assert!(index.header("user-agent").is_some_and(|ua| ua.starts_with("Hark/")));
    assert!(index.path.contains("q=th%C3%A9%C3%A2tre+talk") || index.path.contains("q=th%C3%A9%C3%A2tre%20talk"));

    let feed = shows[1]["feed_url"].as_str().unwrap();
    let subscribed = hark(data.path(), None, &["subscribe", feed]);
    assert!(subscribed.status.success(), "{}", stderr(&subscribed));
    let episodes = hark(data.path(), None, &["episodes", "Stage Door"]);
    assert!(String::from_utf8_lossy(&episodes.stdout).contains("Opening Night"));
}

#[test]
fn an_unreachable_directory_is_one_calm_line() {
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data.path())
        .args(["discover", "anything"])
        .env("HARK_ITUNES_URL", "http://127.0.0.1:9")
        .env_remove("HARK_PODCASTINDEX_KEY")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("error: The podcast directory could not be searched: "), "{text}");
}

/// `hark discover` against a directory stand-in with only iTunes (no Podcast Index key).
fn discover(data: &Path, server: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hark"))
        .arg("--data-dir")
        .arg(data)
        .arg("discover")
        .args(args)
        .env("HARK_ITUNES_URL", server.url(""))
        .env_remove("HARK_PODCASTINDEX_KEY")
        .output()
        .unwrap()
}

#[test]
fn a_directory_that_redirects_or_gets_one_result_wrong_still_answers_in_one_line_each() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    let answer = format!(
        "{{\"results\":[\
         {{\"collectionName\":\"Fake\\nSound Show  (1 episodes)\\n    https://evil.example/feed\",\"feedUrl\":\"{feed}\"}},\
         {{\"collectionName\":\"Typed Wrong\",\"feedUrl\":\"{feed}2\",\"trackCount\":\"twelve\"}},\
         {{\"collectionName\":\"Kept\",\"feedUrl\":\"{feed}3\",\"trackCount\":3}}]}}",
        feed = server.url("/f.xml")
    );
    server.set("/search", Route::redirect(302, &server.url("/moved/search")));
    server.set("/moved/search", Route::ok(answer, "application/json"));
    let output = discover(data.path(), &server, &["anything"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(server.requests("/moved/search").len(), 1, "the redirect was followed");
    let text = String::from_utf8(output.stdout).unwrap();
    let titles: Vec<&str> = text.lines().filter(|l| !l.starts_with("    ")).collect();
    assert_eq!(titles.len(), 2, "two results, each on its own line: {text}");
    assert!(titles[0].starts_with("Fake Sound Show  (1 episodes)     https://evil.example/feed"), "{text}");
    assert!(titles[1].starts_with("Kept  (3 episodes)"), "the wrongly typed result alone is left out: {text}");
}

#[test]
fn an_endless_directory_answer_is_refused_as_it_streams_in() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    // 64 MB with no length: only reading it tells how long it is.
    let endless = Route { content_length: false, ..Route::ok(vec![b' '; 64 * 1024 * 1024], "application/json") };
    server.set("/search", endless);
    let output = discover(data.path(), &server, &["anything"]);
    assert!(!output.status.success());
    let said = stderr(&output);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("too large to be a search result"), "{said}");
    let sent = server.bytes_sent("/search");
    assert!(sent < 32 * 1024 * 1024, "it stopped reading near the 4 MB cap, not at the end ({sent} bytes sent)");
}

#[test]
fn a_directory_that_trickles_is_given_up_on_with_one_line() {
    let server = TestServer::start();
    let data = tempfile::tempdir().unwrap();
    // A piece every ten seconds (each within the client's read timeout), for longer than anyone
    // waits for search results: only a deadline on the whole answer ends it.
    server.set("/search", Route { throttle: Some(1600), ..Route::ok(vec![b' '; 1024 * 1024], "application/json") });
    let output = discover(data.path(), &server, &["anything"]);
    assert!(!output.status.success(), "it ended by itself, with a failure");
    let said = stderr(&output);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("took too long to answer"), "{said}");
}

/// Harbour Lights (tests/fixtures/feeds/searchable-show.xml), in a library file, as
/// `hark subscribe` leaves it.
fn library_of_harbour_lights(data: &Path) -> (Library, TestServer) {
    common::init();
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(common::fixture_bytes("feeds/searchable-show.xml"), "application/rss+xml"));
    let mut library = Library::open(&data.join("library.sqlite3")).unwrap();
    common::subscribe(&mut library, &server.url("/feed.xml"));
    (library, server)
}

#[test]
fn a_title_word_and_a_phrase_only_in_the_notes_find_their_episode() {
    let data = tempfile::tempdir().unwrap();
    let (library, _server) = library_of_harbour_lights(data.path());
    let episode_titled = |title: &str| library.episodes(None).unwrap().into_iter().find(|e| e.title == title).unwrap();
    let breakfast = episode_titled("Breakfast in Seville");

    // "bitter marmalade" is in the notes of that one episode, and in no title.
    let found = library.search("bitter marmalade").unwrap();
    assert_eq!(found.episodes.len(), 1, "{found:?}");
    assert_eq!(found.episodes[0].episode_id, breakfast.id);
    assert_eq!(found.episodes[0].field, Field::Notes);
    assert!(found.episodes[0].snippet.contains(hark::library::MATCH_START), "the words are marked in the snippet");

    let found = library.search("lighthouse").unwrap();
    let keeper = episode_titled("The lighthouse keeper");
    let hit = found.episodes.iter().find(|h| h.episode_id == keeper.id).expect("the title's episode");
    assert_eq!(hit.field, Field::Title, "a word in the title and the notes is found in the title");

    for hostile in ["\"unclosed", "(brackets]", "C++", "title:x", "NOT", "a - b", "***"] {
        library.search(hostile).unwrap_or_else(|e| panic!("{hostile}: {e}"));
    }
}

#[test]
fn search_from_the_command_line_and_a_removed_show_leaves_no_hits() {
    let data = tempfile::tempdir().unwrap();
    let (library, _server) = library_of_harbour_lights(data.path());
    let show = library.podcasts().unwrap()[0].clone();
    let output = hark(data.path(), None, &["search", "harbour", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let hits: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &hits.as_array().unwrap()[0];
    for key in ["episode_id", "podcast_id", "title", "podcast_title", "snippet", "field", "at_secs"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(first["podcast_title"], "Harbour Lights");
    let stray = hark(data.path(), None, &["search", "\"harbour (C++"]);
    assert!(stray.status.success(), "{}", stderr(&stray));

    assert!(hark(data.path(), None, &["remove", &show.id.to_string()]).status.success());
    let after = library.search("harbour lights").unwrap();
    assert!(after.shows.is_empty() && after.episodes.is_empty(), "nothing of the removed show: {after:?}");
}
