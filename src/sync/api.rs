//! The wire: the gpodder.net API v2 (podsync, gpodder.net, mygpo) and Nextcloud's gpoddersync,
//! their paths, bodies and answers. Every request goes through `http::send` (redirects checked
//! hop by hop) and every answer through `http::read_capped`; the password travels only in the
//! `Authorization` header, never in an address, a log or an error.

use std::time::Duration;

use reqwest::{Method, StatusCode, header};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::SyncError;
use crate::http;
use crate::model::sync::{SyncAccount, SyncKind};

/// The largest answer read (50,000 episode actions are about 12 MB).
const MAX_REPLY: u64 = 64 * 1024 * 1024;
/// How long one request may take, its body included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const NEXTCLOUD: &str = "index.php/apps/gpoddersync/";

/// An episode action as both APIs write it. Numbers and timestamps are read leniently (a server
/// may send `40.0`, `"40"` or an epoch number); what Hark sends is the API reference's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireAction {
    pub podcast: String,
    pub episode: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    pub action: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS`.
    #[serde(default, deserialize_with = "lenient_timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient_number", skip_serializing_if = "Option::is_none")]
    pub started: Option<i64>,
    #[serde(default, deserialize_with = "lenient_number", skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    #[serde(default, deserialize_with = "lenient_number", skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Not in the API reference; read when a server gives it (matching by feed and title).
    #[serde(default, skip_serializing)]
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Loose {
    Int(i64),
    Float(f64),
    Text(String),
    Other(serde::de::IgnoredAny),
}

fn lenient_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let number = match Option::<Loose>::deserialize(d)? {
        Some(Loose::Int(n)) => Some(n),
        Some(Loose::Float(f)) if f.is_finite() => Some(f.round() as i64),
        Some(Loose::Text(t)) => t.trim().parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f.round() as i64),
        _ => None,
    };
    // Nextcloud writes -1 for "not given".
    Ok(number.filter(|n| *n >= 0))
}

fn lenient_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Loose>::deserialize(d)? {
        Some(Loose::Int(n)) => format_timestamp(n),
        Some(Loose::Float(f)) if f.is_finite() => format_timestamp(f as i64),
        Some(Loose::Text(t)) => parse_timestamp(&t).and_then(format_timestamp),
        _ => None,
    })
}

/// A server's `timestamp`: a number of seconds, leniently.
fn lenient_since<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(lenient_number(d)?.unwrap_or(0))
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the API's form.
pub fn format_timestamp(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// An action's timestamp as Unix seconds: the API's form (taken as UTC), with a zone or
/// fraction when a server adds them, or an epoch number in a string.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    if let Ok(with_zone) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.timestamp());
    }
    let bare = text.split(['.', 'Z', '+']).next().unwrap_or(text);
    chrono::NaiveDateTime::parse_from_str(bare, "%Y-%m-%dT%H:%M:%S").ok().map(|t| t.and_utc().timestamp())
}

/// Subscription changes since a timestamp.
#[derive(Debug, Default, Deserialize)]
pub struct FeedChanges {
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default, deserialize_with = "lenient_since")]
    pub timestamp: i64,
}

/// What an upload answers: the server's timestamp, and the addresses it rewrote.
#[derive(Debug, Default, Deserialize)]
pub struct Uploaded {
    #[serde(default, deserialize_with = "lenient_since")]
    pub timestamp: i64,
    #[serde(default)]
    pub update_urls: Vec<(String, String)>,
}

/// An answer of episode actions, not read yet.
pub struct ActionsReply {
    url: Url,
    bytes: Vec<u8>,
}

impl ActionsReply {
    /// Hands each action to `each` as it is read, and returns the answer's `timestamp`.
    pub fn each_action(&self, each: &mut dyn FnMut(WireAction)) -> Result<i64, SyncError> {
        use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
        struct Each<'f>(&'f mut dyn FnMut(WireAction));
        impl<'de> DeserializeSeed<'de> for Each<'_> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> Visitor<'de> for Each<'_> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of episode actions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while let Some(action) = seq.next_element::<WireAction>()? {
                    (self.0)(action);
                }
                Ok(())
            }
        }
        struct Reply<'f>(&'f mut dyn FnMut(WireAction));
        impl<'de> Visitor<'de> for Reply<'_> {
            type Value = i64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object with actions and a timestamp")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<i64, A::Error> {
                let mut timestamp = 0;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "actions" => map.next_value_seed(Each(&mut *self.0))?,
                        "timestamp" => timestamp = map.next_value::<Since>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(timestamp)
            }
        }
        let bytes = self.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.bytes);
        let mut reader = serde_json::Deserializer::from_slice(bytes);
        serde::Deserializer::deserialize_map(&mut reader, Reply(each))
            .map_err(|e| SyncError::Failed(format!("{} sent an answer that does not read ({e})", self.url)))
    }
}

#[derive(Deserialize)]
struct Since(#[serde(deserialize_with = "lenient_since")] i64);

#[derive(Debug, Deserialize)]
struct Device {
    id: String,
}

#[derive(Serialize)]
struct FeedUpload<'a> {
    add: &'a [String],
    remove: &'a [String],
}

/// One conversation with the server (a sync). Holds the password for its length only, and
/// prints it nowhere (no Debug).
pub struct Session<'a> {
    client: &'a reqwest::Client,
    base: Url,
    kind: SyncKind,
    user: String,
    password: String,
    device: String,
    cookie: Option<String>,
}

/// The server address as given (`https://host`, `https://host/nextcloud/`): http(s), no
/// credentials in it, and a trailing slash so that API paths join below it.
pub fn server_url(server: &str) -> Result<Url, SyncError> {
    let mut url = Url::parse(server.trim())
        .map_err(|_| SyncError::Failed(format!("\"{}\" is not a valid web address", server.trim())))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SyncError::Failed(format!("{url} is not an http(s) address")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SyncError::Failed("give the user and password apart, not in the address".into()));
    }
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

impl<'a> Session<'a> {
    pub fn new(client: &'a reqwest::Client, account: &SyncAccount, password: &str) -> Result<Self, SyncError> {
        Ok(Self {
            client,
            base: server_url(&account.server)?,
            kind: account.kind,
            user: account.user.clone(),
            password: password.to_string(),
            device: account.device.clone(),
            cookie: None,
        })
    }

    /// `segments` below the server's address, each percent-encoded as a path segment.
    fn url(&self, segments: &[&str], since: Option<i64>) -> Url {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().expect("an http(s) URL has a path");
            path.pop_if_empty();
            for segment in segments {
                path.push(segment);
            }
        }
        if let Some(since) = since {
            url.query_pairs_mut().append_pair("since", &since.to_string());
        }
        url
    }

    fn api(&self, parts: &[&str], since: Option<i64>) -> Url {
        match self.kind {
            SyncKind::Gpodder => {
                let mut segments = vec!["api", "2"];
                segments.extend_from_slice(parts);
                self.url(&segments, since)
            }
            SyncKind::Nextcloud => {
                let mut segments: Vec<&str> = NEXTCLOUD.trim_end_matches('/').split('/').collect();
                segments.extend_from_slice(parts);
                self.url(&segments, since)
            }
        }
    }

    async fn send(&self, method: Method, url: &Url, body: Option<Vec<u8>>) -> Result<reqwest::Response, SyncError> {
        let build = |hop: &Url| {
            let mut request = self
                .client
                .request(method.clone(), hop.clone())
                .basic_auth(&self.user, Some(&self.password))
                .timeout(REQUEST_TIMEOUT);
            if let Some(cookie) = &self.cookie {
                request = request.header(header::COOKIE, cookie);
            }
            if let Some(body) = &body {
                request = request.header(header::CONTENT_TYPE, "application/json").body(body.clone());
            }
            request
        };
        let reply = http::send(build, url).await.map_err(|e| SyncError::from_feed(e, &self.base))?;
        let status = reply.response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(SyncError::Refused {
                server: self.base.to_string(),
                user: self.user.clone(),
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            return Err(SyncError::Status { url: url.to_string(), status: status.as_u16() });
        }
        Ok(reply.response)
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
    ) -> Result<T, SyncError> {
        let response = self.send(method, &url, body).await?;
        let bytes =
            http::read_capped(response, &url, MAX_REPLY).await.map_err(|e| SyncError::from_feed(e, &self.base))?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        // Read straight into the typed form (not a Value tree): 50,000 actions stay small.
        serde_json::from_slice(bytes)
            .map_err(|e| SyncError::Failed(format!("{url} sent an answer that does not read ({e})")))
    }

    /// gpodder API: Basic auth once, then the session cookie. Nextcloud: Basic auth on every
    /// request (an app password), so nothing to do.
    pub async fn login(&mut self) -> Result<(), SyncError> {
        if self.kind == SyncKind::Nextcloud {
            return Ok(());
        }
        let url = self.api(&["auth", &self.user, "login.json"], None);
        let response = self.send(Method::POST, &url, None).await?;
        let cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .map(|pair| pair.trim().to_string())
            .filter(|pair| pair.contains('='))
            .collect();
        self.cookie = (!cookies.is_empty()).then(|| cookies.join("; "));
        Ok(())
    }

    /// gpodder API: this Hark as a desktop device with its caption.
    pub async fn register_device(&self, caption: &str) -> Result<(), SyncError> {
        let url = self.api(&["devices", &self.user, &format!("{}.json", self.device)], None);
        let body = serde_json::json!({ "caption": caption, "type": "desktop" });
        self.send(Method::POST, &url, Some(body.to_string().into_bytes())).await?;
        Ok(())
    }

    /// gpodder API: the ids of the account's devices.
    pub async fn devices(&self) -> Result<Vec<String>, SyncError> {
        let url = self.api(&["devices", &format!("{}.json", self.user)], None);
        let devices: Vec<Device> = self.call(Method::GET, url, None).await?;
        Ok(devices.into_iter().map(|d| d.id).collect())
    }

    /// A device's subscription changes since `since` (Nextcloud: the user's one list).
    pub async fn feed_changes(&self, device: &str, since: i64) -> Result<FeedChanges, SyncError> {
        let url = match self.kind {
            SyncKind::Gpodder => self.api(&["subscriptions", &self.user, &format!("{device}.json")], Some(since)),
            SyncKind::Nextcloud => self.api(&["subscriptions"], Some(since)),
        };
        self.call(Method::GET, url, None).await
    }

    /// This device's subscribes and unsubscribes.
    pub async fn upload_feeds(&self, add: &[String], remove: &[String]) -> Result<Uploaded, SyncError> {
        let url = match self.kind {
            SyncKind::Gpodder => self.api(&["subscriptions", &self.user, &format!("{}.json", self.device)], None),
            SyncKind::Nextcloud => self.api(&["subscription_change", "create"], None),
        };
        let body = serde_json::to_vec(&FeedUpload { add, remove }).expect("plain data serialises");
        self.call(Method::POST, url, Some(body)).await
    }

    /// The account's episode actions since `since`.
    /// The account's episode actions since `since`, as the answer's bytes: read them with
    /// `each_action`, one at a time (50,000 of them never sit in memory as values).
    pub async fn actions(&self, since: i64) -> Result<ActionsReply, SyncError> {
        let url = match self.kind {
            SyncKind::Gpodder => self.api(&["episodes", &format!("{}.json", self.user)], Some(since)),
            SyncKind::Nextcloud => self.api(&["episode_action"], Some(since)),
        };
        let response = self.send(Method::GET, &url, None).await?;
        let bytes =
            http::read_capped(response, &url, MAX_REPLY).await.map_err(|e| SyncError::from_feed(e, &self.base))?;
        Ok(ActionsReply { url, bytes })
    }

    pub async fn upload_actions(&self, actions: &[WireAction]) -> Result<Uploaded, SyncError> {
        let url = match self.kind {
            SyncKind::Gpodder => self.api(&["episodes", &format!("{}.json", self.user)], None),
            SyncKind::Nextcloud => self.api(&["episode_action", "create"], None),
        };
        let body = serde_json::to_vec(actions).expect("plain data serialises");
        self.call(Method::POST, url, Some(body)).await
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    pub fn kind(&self) -> SyncKind {
        self.kind
    }

    pub fn server(&self) -> &Url {
        &self.base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_the_apis_form_in_utc() {
        assert_eq!(format_timestamp(0).as_deref(), Some("1970-01-01T00:00:00"));
        assert_eq!(parse_timestamp("2024-03-01T12:30:05"), Some(1_709_296_205));
        assert_eq!(parse_timestamp("2024-03-01T12:30:05Z"), Some(1_709_296_205));
        assert_eq!(parse_timestamp("2024-03-01T12:30:05.250"), Some(1_709_296_205));
        assert_eq!(parse_timestamp("2024-03-01T13:30:05+01:00"), Some(1_709_296_205));
        assert_eq!(parse_timestamp("1709296205"), Some(1_709_296_205));
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    #[test]
    fn actions_read_leniently() {
        let json = r#"{"actions":[{"podcast":"p","episode":"e","action":"PLAY","timestamp":1709296205,
            "started":"10","position":40.4,"total":-1,"guid":null}],"timestamp":"99"}"#;
        let reply = ActionsReply { url: Url::parse("http://x/").unwrap(), bytes: json.as_bytes().to_vec() };
        let mut actions = Vec::new();
        let timestamp = reply.each_action(&mut |a| actions.push(a)).unwrap();
        let action = &actions[0];
        assert_eq!(timestamp, 99);
        assert_eq!((action.started, action.position, action.total), (Some(10), Some(40), None));
        assert_eq!(action.timestamp.as_deref(), Some("2024-03-01T12:30:05"));
    }

    #[test]
    fn server_addresses_are_http_without_credentials() {
        assert_eq!(server_url("https://cloud.example.com/nc").unwrap().as_str(), "https://cloud.example.com/nc/");
        assert!(server_url("ftp://example.com").is_err());
        assert!(server_url("https://alice:secret@example.com").is_err());
    }
}
