#!/usr/bin/env python3
"""big_feed.py OUT.xml [EPISODES=2000] — the feed benches/feed.rs parses, as a file: a big real
show's shape (iTunes tags, ~5 KB of HTML notes in CDATA per episode; 2,000 episodes ≈ 11 MB)."""
import sys

out, episodes = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
notes = ("<p>In this episode we talk about the news of the week, with links and timestamps.</p>"
         "<ul><li>(00:45) Intro</li><li>(12:30) <a href=\"https://example.com/a\">The story</a></li>"
         "<li>(45:10) Listener mail</li></ul>") * 25
with open(out, "w", encoding="utf-8") as f:
    f.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
            "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" "
            "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Big Show</title>"
            "<itunes:author>Bench</itunes:author><description>A big feed</description>"
            "<itunes:image href=\"https://example.com/art.jpg\"/>\n")
    for i in range(episodes):
        f.write(f"<item><guid isPermaLink=\"false\">big-{i}</guid><title>Episode {i}: a title of some length</title>"
                "<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate><itunes:duration>1:02:03</itunes:duration>"
                f"<itunes:episode>{i}</itunes:episode><link>https://example.com/episodes/{i}</link>"
                f"<enclosure url=\"https://cdn.example.com/audio/{i}.mp3\" type=\"audio/mpeg\" length=\"58000000\"/>"
                f"<description><![CDATA[{notes}]]></description></item>\n")
    f.write("</channel></rss>\n")
