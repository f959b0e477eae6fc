//! Small RSS feeds written for tests.

pub struct Item<'a> {
    pub guid: &'a str,
    pub title: &'a str,
    pub url: &'a str,
}

pub fn rss(title: &str, items: &[Item<'_>]) -> String {
    rss_with(title, "", items)
}

/// An RSS 2.0 feed with iTunes tags; `channel_extra` goes inside `<channel>`.
pub fn rss_with(title: &str, channel_extra: &str, items: &[Item<'_>]) -> String {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\n<channel>\n<title>{title}</title>\n\
         <itunes:author>Test Author</itunes:author>\n<description>About {title}</description>\n{channel_extra}\n"
    );
    for (i, item) in items.iter().enumerate() {
        xml.push_str(&format!(
            "<item><guid>{}</guid><title>{}</title><pubDate>Mon, {:02} Jan 2024 10:00:00 GMT</pubDate>\
             <itunes:duration>1:00</itunes:duration>\
             <enclosure url=\"{}\" type=\"audio/mpeg\" length=\"240424\"/>\
             <description><![CDATA[<h2>Notes of {}</h2><ul><li>First point at 0:30</li><li>Second point</li></ul>\
             <p>See <a href=\"https://example.com/{}\">the site</a>.</p>]]></description></item>\n",
            item.guid,
            item.title,
            i + 1,
            item.url,
            item.title,
            item.guid
        ));
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}
