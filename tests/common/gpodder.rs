//! A real gpodder-API server for the sync tests: podsync 1.0.5 (crates.io), with its SQL backend
//! or its file backend, started on 127.0.0.1 by the test; a fault-injecting proxy in front of
//! it; and a plain HTTP client that plays a third app (as AntennaPod writes its actions).
//!
//! podsync is found through `HARK_PODSYNC` (the SQL build) and `HARK_PODSYNC_FILE` (the file
//! build), else in `.ci/run`'s install root (`HARK_TOOLS`, default `~/.cache/hark-ci`), else (the
//! SQL build) on PATH. Without it the tests say so in one line and return; with
//! `HARK_REQUIRE_PODSYNC=1` (CI) they fail.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sql,
    File,
}

fn tools_root() -> PathBuf {
    std::env::var_os("HARK_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/hark-ci"))
}

fn find(backend: Backend) -> Option<PathBuf> {
    let (var, folder) = match backend {
        Backend::Sql => ("HARK_PODSYNC", "podsync-sql"),
        Backend::File => ("HARK_PODSYNC_FILE", "podsync-file"),
    };
    if let Some(path) = std::env::var_os(var).map(PathBuf::from) {
        assert!(path.is_file(), "{var} is {}, which is no file", path.display());
        return Some(path);
    }
    let installed = tools_root().join(folder).join("bin/podsync");
    if installed.is_file() {
        return Some(installed);
    }
    if backend == Backend::Sql {
        let on_path = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).map(|d| d.join("podsync")).find(|p| p.is_file()));
        if let Some(found) = on_path.flatten() {
            return Some(found);
        }
    }
    super::skip::not_run_here(
        "HARK_REQUIRE_PODSYNC",
        &format!(
            "podsync tests not run: no podsync ({backend:?} backend) found (set HARK_PODSYNC / HARK_PODSYNC_FILE, or run .ci/run to install it)"
        ),
    );
    None
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A free port on 127.0.0.1 (bound and let go).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Podsync {
    child: Option<Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
    binary: PathBuf,
    pub backend: Backend,
}

impl Podsync {
    /// podsync on a fresh data folder, or None (said once) when it is not installed.
    pub fn start(backend: Backend) -> Option<Self> {
        let binary = find(backend)?;
        let mut server = Self { child: None, port: free_port(), dir: tempfile::tempdir().unwrap(), binary, backend };
        if backend == Backend::File {
            std::fs::create_dir_all(server.dir.path().join("users")).unwrap();
        }
        server.run();
        Some(server)
    }

    /// Starts it again (after `stop`) on the same port and data.
    pub fn run(&mut self) {
        let child = Command::new(&self.binary)
            .args(["--port", &self.port.to_string(), "--data-dir"])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start podsync");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "podsync did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
        if self.backend == Backend::Sql {
            let deadline = Instant::now() + Duration::from_secs(20);
            while !self.dir.path().join("pod.sql").is_file() {
                assert!(Instant::now() < deadline, "podsync made no pod.sql");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A user, the way podsync's scripts/add-user.sh adds one (SQL) or as the file backend reads
    /// users (`users/NAME/creds.txt` and empty lists).
    pub fn add_user(&self, name: &str, password: &str) {
        let hash = sha256_hex(password);
        match self.backend {
            Backend::Sql => {
                let db = rusqlite::Connection::open(self.dir.path().join("pod.sql")).unwrap();
                db.busy_timeout(Duration::from_secs(5)).unwrap();
                db.execute("INSERT INTO users VALUES (?1, ?2, NULL)", [name, &hash]).unwrap();
            }
            Backend::File => {
                let folder = self.dir.path().join("users").join(name);
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join("creds.txt"), format!("pwhash: {hash}\n")).unwrap();
                for list in ["devices.txt", "subs.txt", "episodes.txt"] {
                    std::fs::write(folder.join(list), "").unwrap();
                }
            }
        }
    }

    pub fn set_password(&self, name: &str, password: &str) {
        let db = rusqlite::Connection::open(self.dir.path().join("pod.sql")).unwrap();
        db.execute("UPDATE users SET pwhash = ?2 WHERE username = ?1", [name, &sha256_hex(password)]).unwrap();
    }
}

impl Drop for Podsync {
    fn drop(&mut self) {
        self.stop();
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

/// One plain HTTP/1.1 request (`Connection: close`): status and body.
pub fn http(method: &str, url: &str, auth: Option<(&str, &str)>, body: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some((user, password)) = auth {
        head.push_str(&format!("Authorization: {}\r\n", basic_auth(user, password)));
    }
    let body = body.unwrap_or_default();
    head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap_or((&reply, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.into() };
    (status, body)
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

/// What the proxy does to one request (once).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status without asking the server.
    Status(u16),
    /// Let the server take it, then cut its reply short (half the body, then the connection).
    CutReply,
    /// The server's `update_urls` replaced by this one pair.
    RewriteUpdateUrls(String, String),
    /// Hold the request this long first.
    Delay(Duration),
}

struct Rule {
    method: String,
    path: String,
    /// Matching requests let through before this one.
    skip: usize,
    fault: Fault,
}

/// One request through the proxy.
#[derive(Debug, Clone)]
pub struct Passed {
    pub method: String,
    pub path: String,
    pub head: String,
    pub body: String,
    pub status: u16,
}

/// A proxy in front of a server that logs every request and injects faults.
pub struct Proxy {
    pub port: u16,
    rules: Arc<Mutex<VecDeque<Rule>>>,
    log: Arc<Mutex<Vec<Passed>>>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let rules: Arc<Mutex<VecDeque<Rule>>> = Arc::default();
        let log: Arc<Mutex<Vec<Passed>>> = Arc::default();
        let (shared_rules, shared_log) = (rules.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (rules, log) = (shared_rules.clone(), shared_log.clone());
                std::thread::spawn(move || {
                    let _ = relay(stream, upstream, &rules, &log);
                });
            }
        });
        Self { port, rules, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `fault` for the request after `skip` matching ones (method, and a part of the path).
    pub fn inject(&self, method: &str, path: &str, skip: usize, fault: Fault) {
        self.rules.lock().unwrap().push_back(Rule { method: method.into(), path: path.into(), skip, fault });
    }

    pub fn log(&self) -> Vec<Passed> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

fn read_request(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut byte)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&byte[..n]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = content_length(&head);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut byte)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&byte[..n]);
    }
    Ok((head, body))
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0)
}

fn relay(
    mut client: TcpStream,
    upstream: u16,
    rules: &Mutex<VecDeque<Rule>>,
    log: &Mutex<Vec<Passed>>,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let first = head.lines().next().unwrap_or_default().to_string();
    let mut words = first.split(' ');
    let (method, path) = (words.next().unwrap_or_default().to_string(), words.next().unwrap_or_default().to_string());
    let fault = {
        let mut rules = rules.lock().unwrap();
        let at = rules.iter().position(|r| r.method == method && path.contains(&r.path));
        match at {
            Some(at) if rules[at].skip > 0 => {
                rules[at].skip -= 1;
                None
            }
            Some(at) => rules.remove(at).map(|r| r.fault),
            None => None,
        }
    };
    let mut passed =
        Passed { method, path, head: head.clone(), body: String::from_utf8_lossy(&body).into(), status: 0 };
    if let Some(Fault::Delay(delay)) = &fault {
        std::thread::sleep(*delay);
    }
    if let Some(Fault::Status(status)) = fault {
        passed.status = status;
        log.lock().unwrap().push(passed);
        let reply = format!("HTTP/1.1 {status} Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return client.write_all(reply.as_bytes());
    }
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    let head: String = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:") && !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    server.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes())?;
    server.write_all(&body)?;
    let mut reply = Vec::new();
    server.read_to_end(&mut reply)?;
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").map_or(reply.len(), |at| at + 4);
    let (reply_head, reply_body) = reply.split_at(split);
    let reply_head = String::from_utf8_lossy(reply_head).into_owned();
    passed.status = reply_head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    log.lock().unwrap().push(passed);
    match fault {
        Some(Fault::CutReply) => {
            client.write_all(reply_head.as_bytes())?;
            client.write_all(&reply_body[..reply_body.len() / 2])?;
            client.flush()
        }
        Some(Fault::RewriteUpdateUrls(old, new)) => {
            let mut json: serde_json::Value = serde_json::from_slice(reply_body).unwrap_or_default();
            json["update_urls"] = serde_json::json!([[old, new]]);
            let body = json.to_string();
            let head: String = reply_head
                .split("\r\n")
                .filter(|l| !l.to_ascii_lowercase().starts_with("content-length:") && !l.is_empty())
                .map(|l| format!("{l}\r\n"))
                .collect();
            client.write_all(format!("{head}Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
        }
        _ => client.write_all(&reply),
    }
}
