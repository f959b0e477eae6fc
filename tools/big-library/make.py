#!/usr/bin/env python3
"""make.py OUT [SHOWS=100] [EPISODES=200] [PORT=8790]

The big library of issue #13, as a listener has it: SHOWS podcasts of EPISODES episodes each
(20,000 by default), every show with 1400x1400 JPEG art, notes like real ones (a few KB of HTML
with paragraphs, links and a timestamp list). Writes OUT/feeds/N.xml, OUT/art/N.jpg,
OUT/audio.mp3 (every enclosure points at it) and OUT/library.opml naming
http://127.0.0.1:PORT/feeds/N.xml. Serve OUT on PORT (measure.sh does) and `hark import` the OPML.

Needs python3 and ffmpeg (for the JPEGs and the MP3).
"""
import os, subprocess, sys
from email.utils import formatdate

out = sys.argv[1]
shows = int(sys.argv[2]) if len(sys.argv) > 2 else 100
episodes = int(sys.argv[3]) if len(sys.argv) > 3 else 200
port = int(sys.argv[4]) if len(sys.argv) > 4 else 8790
base = f"http://127.0.0.1:{port}"
for d in ("feeds", "art"):
    os.makedirs(os.path.join(out, d), exist_ok=True)

ff = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"]
subprocess.run(ff + ["-f", "lavfi", "-i", "sine=frequency=440:duration=5", "-ac", "1", "-b:a", "32k",
                     os.path.join(out, "audio.mp3")], check=True)

WORDS = ("interest rates housing market energy policy election science music history design software "
         "health climate travel food sport culture books film economy privacy security space").split()

def notes(show, ep):
    words = " ".join(WORDS[(show * 7 + ep * 3 + i) % len(WORDS)] for i in range(60))
    items = "".join(f"<li>({m:02d}:{s:02d}) {WORDS[(ep + m) % len(WORDS)].title()} and more</li>"
                    for m, s in ((0, 0), (4, 12), (11, 40), (23, 5), (38, 51)))
    return (f"<p>In this episode of show {show} we talk about {words}.</p>"
            f"<p>Guest: <a href=\"https://example.com/guests/{show}/{ep}\">Someone Interesting</a>. "
            f"Support the show at <a href=\"https://example.com/support/{show}\">example.com</a>.</p>"
            f"<h3>Chapters</h3><ul>{items}</ul><p>{words.upper()[:300]}</p>"
            f"<p>Transcript, links and the rest of the notes: <a href=\"https://example.com/{show}/{ep}\">on the site</a>.</p>")

outlines = []
for show in range(shows):
    art = os.path.join(out, "art", f"{show}.jpg")
    if not os.path.exists(art):
        hue = show * 37 % 360
        subprocess.run(ff + ["-f", "lavfi", "-i", f"testsrc2=size=1400x1400:rate=1,hue=h={hue}",
                             "-frames:v", "1", "-q:v", "4", art], check=True)
    items = []
    for ep in range(episodes):
        when = formatdate(1_700_000_000 - (ep * 7 + show) * 86_400, usegmt=True)
        items.append(
            f"<item><guid isPermaLink=\"false\">show{show}-ep{ep}</guid><title>Show {show} episode {episodes - ep}: "
            f"{WORDS[(show + ep) % len(WORDS)].title()} {WORDS[(show * 3 + ep) % len(WORDS)]}</title>"
            f"<pubDate>{when}</pubDate><itunes:duration>{30 + ep % 60}:{ep % 60:02d}</itunes:duration>"
            f"<enclosure url=\"{base}/audio.mp3?show={show}&amp;ep={ep}\" type=\"audio/mpeg\" length=\"20480\"/>"
            f"<description><![CDATA[{notes(show, ep)}]]></description></item>")
    feed = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
            f"xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel>"
            f"<title>Big Show {show:03d}</title><itunes:author>Host {show}</itunes:author>"
            f"<description>Show {show} of the big library.</description><language>en</language>"
            f"<itunes:image href=\"{base}/art/{show}.jpg\"/>" + "".join(items) + "</channel></rss>\n")
    with open(os.path.join(out, "feeds", f"{show}.xml"), "w") as f:
        f.write(feed)
    outlines.append(f"<outline type=\"rss\" text=\"Big Show {show:03d}\" xmlUrl=\"{base}/feeds/{show}.xml\"/>")

with open(os.path.join(out, "library.opml"), "w") as f:
    f.write("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>Big library</title></head><body>"
            + "".join(outlines) + "</body></opml>\n")
print(f"{shows} shows x {episodes} episodes in {out}")
