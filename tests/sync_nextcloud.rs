//! Sync with Nextcloud's gpoddersync app, against a stand-in on 127.0.0.1 that speaks its wire
//! format (written from the app's controllers: one subscription list per user, only `play`
//! actions kept, `since` compared with each action's own timestamp, the server's `time()` as
//! the answer's timestamp) and checks every request: path, auth header, body and `since`.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::gpodder::basic_auth;
use common::server::{Route, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "app-password-1234";
const BASE: &str = "/nc/index.php/apps/gpoddersync/";

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    since: Option<i64>,
    body: Value,
}

#[derive(Default)]
struct State {
    /// (url, subscribed, updated)
    subscriptions: Vec<(String, bool, i64)>,
    actions: Vec<Value>,
    requests: Vec<Seen>,
    /// What the server's clock says (its `time()`); moved by the test.
    now: i64,
    /// Requests that broke a rule of the wire format.
    wrong: Vec<String>,
}

struct StandIn {
    port: u16,
    state: Arc<Mutex<State>>,
}

fn epoch(timestamp: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%S").map(|t| t.and_utc().timestamp()).unwrap_or(-1)
}

impl StandIn {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State { now: chrono::Utc::now().timestamp(), ..State::default() }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Self { port, state }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/nc", self.port)
    }

    fn take_requests(&self) -> Vec<Seen> {
        let mut state = self.state.lock().unwrap();
        assert!(state.wrong.is_empty(), "requests that break the wire format: {:?}", state.wrong);
        std::mem::take(&mut state.requests)
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head, body) = loop {
        let n = stream.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
        let length: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
            .unwrap_or(0);
        while buffer.len() < end + 4 + length {
            let n = stream.read(&mut chunk).unwrap_or(0);
            if n == 0 {
                break;
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        break (head, buffer[end + 4..].to_vec());
    };
    let (status, reply) = answer(&head, &body, &mut state.lock().unwrap());
    let reply = reply.to_string();
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        )
        .as_bytes(),
    );
}

fn answer(head: &str, body: &[u8], state: &mut State) -> (u16, Value) {
    let mut words = head.lines().next().unwrap_or_default().split(' ');
    let (method, target) = (words.next().unwrap_or_default().to_string(), words.next().unwrap_or_default());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let since = query.split('&').find_map(|p| p.strip_prefix("since=")).map(|s| s.parse::<i64>().unwrap());
    let auth = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().starts_with("authorization:").then(|| l[14..].trim().to_string()));
    let body: Value = if body.is_empty() { Value::Null } else { serde_json::from_slice(body).unwrap_or(Value::Null) };
    state.requests.push(Seen { method: method.clone(), path: path.into(), since, body: body.clone() });
    if auth.as_deref() != Some(basic_auth("alice", PASSWORD).as_str()) {
        return (401, json!({"message": "Unauthorized"}));
    }
    let now = state.now;
    let Some(route) = path.strip_prefix(BASE) else {
        state.wrong.push(format!("{method} {path}"));
        return (404, Value::Null);
    };
    match (method.as_str(), route) {
        ("GET", "subscriptions") => {
            let since = since.unwrap_or(0);
            let list = |subscribed: bool| -> Vec<String> {
                state.subscriptions.iter().filter(|s| s.1 == subscribed && s.2 > since).map(|s| s.0.clone()).collect()
            };
            (200, json!({"add": list(true), "remove": list(false), "timestamp": now}))
        }
        ("POST", "subscription_change/create") => {
            let (Some(add), Some(remove)) = (body["add"].as_array(), body["remove"].as_array()) else {
                state.wrong.push(format!("subscription change without add and remove: {body}"));
                return (400, Value::Null);
            };
            for (urls, subscribed) in [(add, true), (remove, false)] {
                for url in urls.iter().filter_map(Value::as_str) {
                    state.subscriptions.retain(|s| s.0 != url);
                    state.subscriptions.push((url.to_string(), subscribed, now));
                }
            }
            (200, json!({"timestamp": now}))
        }
        ("GET", "episode_action") => {
            let since = since.unwrap_or(0);
            let actions: Vec<Value> = state
                .actions
                .iter()
                .filter(|a| epoch(a["timestamp"].as_str().unwrap_or_default()) > since)
                .cloned()
                .collect();
            (200, json!({"actions": actions, "timestamp": now}))
        }
        ("POST", "episode_action/create") => {
            let Some(actions) = body.as_array() else {
                state.wrong.push(format!("episode actions not a list: {body}"));
                return (400, Value::Null);
            };
            for action in actions {
                let required = ["podcast", "episode", "action", "timestamp"].iter().all(|k| action.get(k).is_some());
                if !required || epoch(action["timestamp"].as_str().unwrap_or_default()) < 0 {
                    state.wrong.push(format!("action without podcast/episode/action/timestamp: {action}"));
                    continue;
                }
                if action["action"].as_str().unwrap_or_default().to_lowercase() != "play" {
                    continue; // the app keeps plays only
                }
                let mut kept = action.clone();
                kept["action"] = json!("PLAY");
                state.actions.retain(|a| a["episode"] != action["episode"]);
                state.actions.push(kept);
            }
            (200, json!({"timestamp": now}))
        }
        _ => {
            state.wrong.push(format!("{method} {path}"));
            (404, Value::Null)
        }
    }
}

fn hark(data: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hark"));
    command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("HARK_DATA_DIR")
        .env("HARK_SECRET_STORE", "file")
        .env("ALSA_CONFIG_PATH", "/dev/null");
    match password {
        Some(password) => command.env("HARK_SYNC_PASSWORD", password),
        None => command.env_remove("HARK_SYNC_PASSWORD"),
    };
    let output = command.output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn position(data: &Path, title: &str) -> f64 {
    let output = hark(data, &["episodes", "--json"], None);
    let episodes: Value = serde_json::from_slice(&output.stdout).unwrap();
    episodes.as_array().unwrap().iter().find(|e| e["title"] == title).unwrap()["position_secs"].as_f64().unwrap()
}

#[test]
fn nextcloud_gpoddersync_sees_its_own_paths_bodies_and_since() {
    common::init();
    let feeds = TestServer::start();
    let feed = feeds.url("/feed.xml");
    let enclosure = feeds.url("/one.wav");
    let mut wav = Vec::new();
    {
        let dir = tempfile::tempdir().unwrap();
        common::audio::write_tone_wav(&dir.path().join("t.wav"), 60.0, 440.0);
        wav.extend(std::fs::read(dir.path().join("t.wav")).unwrap());
    }
    feeds.set("/one.wav", Route::ok(wav, "audio/wav"));
    feeds.set(
        "/feed.xml",
        Route::ok(
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\
                 <channel><title>Cloud Show</title><description>d</description><item><guid>c1</guid><title>Cloud One</title>\
                 <itunes:duration>10:00</itunes:duration><enclosure url=\"{enclosure}\" type=\"audio/wav\"/></item>\
                 </channel></rss>"
            ),
            "application/rss+xml",
        ),
    );
    let cloud = StandIn::start();
    let data = tempfile::tempdir().unwrap();
    let data = data.path();
    hark(data, &["subscribe", &feed], None);

    // A wrong app password is refused before anything is kept.
    let mut command = Command::new(env!("CARGO_BIN_EXE_hark"));
    let refused = command
        .arg("--data-dir")
        .arg(data)
        .args(["sync", "login", &cloud.url(), "alice", "--nextcloud"])
        .env("HARK_SECRET_STORE", "file")
        .env("HARK_SYNC_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused the password for alice (HTTP 401)"));
    cloud.take_requests();

    hark(data, &["sync", "login", &cloud.url(), "alice", "--nextcloud", "--device", "desk"], Some(PASSWORD));
    cloud.take_requests();
    hark(data, &["play", "Cloud One", "--from", "0:37", "--sleep", "3s"], None);
    hark(data, &["sync"], None);
    let first = cloud.state.lock().unwrap().now;
    let requests = cloud.take_requests();
    let calls: Vec<(String, String, Option<i64>)> =
        requests.iter().map(|r| (r.method.clone(), r.path.trim_start_matches(BASE).to_string(), r.since)).collect();
    assert_eq!(
        calls,
        [
            ("GET".into(), "subscriptions".into(), Some(0)),
            ("GET".into(), "episode_action".into(), Some(0)),
            ("POST".into(), "subscription_change/create".into(), None),
            ("POST".into(), "episode_action/create".into(), None),
            // What was sent, read back at once (it confirms itself): from a day before the answer.
            ("GET".into(), "episode_action".into(), Some(first - 24 * 3600)),
        ]
    );
    assert_eq!(requests[2].body, json!({"add": [feed], "remove": []}));
    let sent = &requests[3].body.as_array().unwrap()[0];
    assert_eq!(
        (&sent["podcast"], &sent["episode"], &sent["action"]),
        (&json!(feed), &json!(enclosure), &json!("play"))
    );
    assert_eq!((&sent["guid"], &sent["total"]), (&json!("c1"), &json!(600)));
    assert!((39..=41).contains(&sent["position"].as_i64().unwrap()), "{sent}");

    // Another device whose clock is an hour behind writes a later place: Nextcloud compares
    // since with that clock, so Hark asks from a day before its last answer and still hears it.
    {
        let mut state = cloud.state.lock().unwrap();
        state.now += 120;
        let behind = chrono::DateTime::from_timestamp(state.now - 3600, 0).unwrap().format("%Y-%m-%dT%H:%M:%S");
        // The app keeps one action per episode: the later upload replaces Hark's.
        state.actions.retain(|a| a["episode"] != json!(enclosure));
        state.actions.push(json!({"podcast": feed, "episode": enclosure, "guid": "c1", "action": "PLAY",
            "timestamp": behind.to_string(), "started": 40, "position": 90, "total": 600}));
    }
    let output = hark(data, &["sync"], None);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("1 position"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(position(data, "Cloud One"), 90.0);
    let requests = cloud.take_requests();
    let since = |path: &str| requests.iter().find(|r| r.path.ends_with(path)).and_then(|r| r.since);
    assert_eq!(since("subscriptions"), Some(first - 1), "the last answer's timestamp (a second's overlap)");
    assert_eq!(since("episode_action"), Some(first - 24 * 3600), "a day before: devices' clocks differ");
    assert!(requests.iter().all(|r| r.method == "GET"), "nothing new to send: {requests:?}");

    // The next sync hears the same actions again (the day's look-back) and changes nothing.
    let output = hark(data, &["sync"], None);
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "nothing new");
    assert!(cloud.take_requests().iter().all(|r| r.method == "GET"));
}
