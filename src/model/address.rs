//! When two feed addresses name the same feed: what a listener (or a directory, or a web page)
//! may write differently for one feed, set aside.

use url::Url;

/// Query parameters that only say where a click came from.
fn is_tracking(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.starts_with("utm_") || matches!(name.as_str(), "fbclid" | "gclid" | "mc_cid" | "mc_eid" | "ref" | "source")
}

/// A feed address as compared: http and https alike, the host without `www.` and in lower case,
/// the default port, doubled and trailing slashes, the fragment and tracking parameters dropped.
/// Anything that is not an http(s) address is compared as written.
pub fn feed_address_key(address: &str) -> String {
    let Ok(url) = Url::parse(address.trim()) else { return address.trim().to_string() };
    if !matches!(url.scheme(), "http" | "https") {
        return address.trim().to_string();
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let port = url.port().filter(|p| *p != 80 && *p != 443).map(|p| format!(":{p}")).unwrap_or_default();
    let path: Vec<&str> = url.path().split('/').filter(|part| !part.is_empty()).collect();
    let mut query: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !is_tracking(name))
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    query.sort();
    let query: Vec<String> = query.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    format!("{host}{port}/{}{query}", path.join("/"))
}

#[cfg(test)]
mod tests {
    use super::feed_address_key;

    #[test]
    fn one_feed_written_many_ways_has_one_key_and_different_feeds_do_not() {
        let key = feed_address_key("https://feeds.example.com/show/rss");
        for same in [
            "http://feeds.example.com/show/rss",
            "https://www.feeds.example.com/show/rss/",
            "https://FEEDS.example.com//show//rss",
            "https://feeds.example.com:443/show/rss?utm_source=x&utm_medium=y",
            "https://feeds.example.com/show/rss#latest",
            " https://feeds.example.com/show/rss ",
        ] {
            assert_eq!(feed_address_key(same), key, "{same}");
        }
        for other in [
            "https://feeds.example.com/show/rss?id=2",
            "https://feeds.example.com/Show/rss",
            "https://feeds.example.com:8443/show/rss",
            "https://other.example.com/show/rss",
        ] {
            assert_ne!(feed_address_key(other), key, "{other}");
        }
        assert_eq!(feed_address_key("https://a.example/f?b=2&a=1"), feed_address_key("https://a.example/f?a=1&b=2"));
    }
}
