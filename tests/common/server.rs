//! A small HTTP/1.1 server on 127.0.0.1 for tests, written over std::net so every byte is
//! under the test's control: Range/206, ETag/304, throttling, connections dropped at chosen
//! offsets, lying lengths, redirects, error codes. One thread per connection.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub headers: Vec<(String, String)>,
    /// Honour `Range` requests (206); otherwise always answer 200 with the whole body.
    pub ranges: bool,
    /// Send `Content-Length` (else the body ends when the connection closes).
    pub content_length: bool,
    /// Claim this length instead of the body's.
    pub claimed_length: Option<u64>,
    /// Name this total in `Content-Range` instead of the body's length (a file that changed).
    pub claimed_total: Option<u64>,
    /// Bytes per second, or unthrottled.
    pub throttle: Option<u64>,
    /// Absolute body offsets at which a connection is cut, each once.
    pub drop_at: Vec<u64>,
    pub first_byte_delay: Option<Duration>,
    /// Answer a Range with 206 even when If-Range names another version (a broken server).
    pub ignore_if_range: bool,
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Self {
        Self {
            status: 200,
            body: body.into(),
            content_type: content_type.to_string(),
            etag: None,
            headers: Vec::new(),
            ranges: true,
            content_length: true,
            claimed_length: None,
            claimed_total: None,
            throttle: None,
            drop_at: Vec::new(),
            first_byte_delay: None,
            ignore_if_range: false,
        }
    }

    pub fn status(status: u16, body: &str) -> Self {
        Self { status, ..Self::ok(body.as_bytes().to_vec(), "text/html") }
    }

    pub fn redirect(status: u16, location: &str) -> Self {
        Self { headers: vec![("Location".into(), location.into())], ..Self::status(status, "") }
    }

    pub fn with_etag(mut self, etag: &str) -> Self {
        self.etag = Some(etag.to_string());
        self
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    log: Vec<Request>,
    bytes_sent: HashMap<String, u64>,
}

pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    running: Arc<AtomicBool>,
}

impl TestServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let state: Arc<Mutex<State>> = Arc::default();
        let running = Arc::new(AtomicBool::new(true));
        let (shared, alive) = (state.clone(), running.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if !alive.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &state);
                });
            }
        });
        Self { addr, state, running }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.state.lock().unwrap().routes.insert(path.to_string(), route);
    }

    pub fn requests(&self, path: &str) -> Vec<Request> {
        // `/search` also names `/search?term=…`.
        let matches = |r: &&Request| r.path == path || r.path.split('?').next() == Some(path);
        self.state.lock().unwrap().log.iter().filter(matches).cloned().collect()
    }

    /// Body bytes written for `path` over all connections.
    pub fn bytes_sent(&self, path: &str) -> u64 {
        self.state.lock().unwrap().bytes_sent.get(path).copied().unwrap_or(0)
    }

    /// Replaces a route's throttle (e.g. to let a slow download finish quickly).
    pub fn set_throttle(&self, path: &str, throttle: Option<u64>) {
        if let Some(route) = self.state.lock().unwrap().routes.get_mut(path) {
            route.throttle = throttle;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let request = Request { method, path: path.clone(), headers, at: std::time::Instant::now() };
    // A route for a path also answers it with a query (an API's `/search?term=…`).
    let path = {
        let state = state.lock().unwrap();
        if state.routes.contains_key(&path) { path } else { path.split('?').next().unwrap_or_default().to_string() }
    };
    let route = {
        let mut state = state.lock().unwrap();
        state.log.push(request.clone());
        state.routes.get(&path).cloned()
    };
    let mut out = stream;
    let Some(route) = route else {
        return write_head(&mut out, 404, &[("Content-Length".into(), "9".into())])
            .and_then(|_| out.write_all(b"not found"));
    };
    if let Some(delay) = route.first_byte_delay {
        std::thread::sleep(delay);
    }
    let mut head: Vec<(String, String)> = route.headers.clone();
    head.push(("Content-Type".into(), route.content_type.clone()));
    head.push(("Connection".into(), "close".into()));
    if let Some(etag) = &route.etag {
        head.push(("ETag".into(), etag.clone()));
        if request.header("if-none-match") == Some(etag.as_str()) {
            return write_head(&mut out, 304, &head);
        }
    }
    let total = route.body.len() as u64;
    let range_valid = route.ignore_if_range
        || match (request.header("if-range"), &route.etag) {
            (Some(if_range), Some(etag)) => if_range == etag,
            (Some(_), None) => false,
            (None, _) => true,
        };
    let range = request
        .header("range")
        .filter(|_| route.ranges && route.status == 200 && range_valid)
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| {
            let (start, end) = r.split_once('-')?;
            let start: u64 = start.parse().ok()?;
            let end: u64 = if end.is_empty() { total.saturating_sub(1) } else { end.parse().ok()? };
            (start < total).then_some((start, end.min(total - 1)))
        });
    let (status, start, end) = match range {
        Some((start, end)) => {
            let named = route.claimed_total.unwrap_or(total);
            head.push(("Content-Range".into(), format!("bytes {start}-{end}/{named}")));
            (206, start, end + 1)
        }
        None => (route.status, 0, total),
    };
    if route.ranges {
        head.push(("Accept-Ranges".into(), "bytes".into()));
    }
    if route.content_length {
        let length = route.claimed_length.unwrap_or(end - start);
        head.push(("Content-Length".into(), length.to_string()));
    }
    write_head(&mut out, status, &head)?;
    if request.method == "HEAD" {
        return Ok(());
    }
    let cut = {
        let mut state = state.lock().unwrap();
        let drops = &mut state.routes.get_mut(&path).expect("route").drop_at;
        drops.sort();
        let at = drops.iter().position(|d| *d > start && *d < end);
        at.map(|i| drops.remove(i))
    };
    let stop = cut.unwrap_or(end);
    let mut offset = start;
    let chunk = 16 * 1024;
    let begun = std::time::Instant::now();
    while offset < stop {
        let next = (offset + chunk).min(stop);
        out.write_all(&route.body[offset as usize..next as usize])?;
        state
            .lock()
            .unwrap()
            .bytes_sent
            .entry(path.clone())
            .and_modify(|b| *b += next - offset)
            .or_insert(next - offset);
        offset = next;
        let throttle = state.lock().unwrap().routes.get(&path).and_then(|r| r.throttle);
        if let Some(rate) = throttle {
            let due = Duration::from_secs_f64((offset - start) as f64 / rate as f64);
            if let Some(wait) = due.checked_sub(begun.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
    out.flush()?;
    if cut.is_some() {
        out.shutdown(std::net::Shutdown::Both)?;
    }
    Ok(())
}

fn write_head(out: &mut TcpStream, status: u16, headers: &[(String, String)]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        308 => "Permanent Redirect",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())
}
