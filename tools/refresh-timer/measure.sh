#!/usr/bin/env bash
# measure.sh OUT [SHOWS=1000] — the window's refresh timer on SHOWS shows from a stand-in server
# (serve.py; almost every answer a 304): the wall time of one timed round (first to last
# request, server side), the most connections open at once, and the window's CPU time over the
# minute after the round, read from /proc. Needs Xvfb, python3 and a built hark (HARK=path,
# default target/release/hark).
set -euo pipefail
OUT=$(mkdir -p "$1" && cd "$1" && pwd); SHOWS=${2:-1000}
HARK=${HARK:-$(dirname "$0")/../../target/release/hark}
DATA=$OUT/data; PORT=8791
rm -rf "$DATA"
python3 "$(dirname "$0")/serve.py" $PORT "$SHOWS" "$OUT/server.json" & SERVER=$!
export DISPLAY=:94
Xvfb :94 -screen 0 1280x800x24 >/dev/null 2>&1 & XVFB=$!
trap 'kill $SERVER $XVFB 2>/dev/null || true' EXIT
sleep 1
{
    echo '<?xml version="1.0"?><opml version="2.0"><body>'
    for i in $(seq "$SHOWS"); do echo "<outline type=\"rss\" text=\"Show $i\" xmlUrl=\"http://127.0.0.1:$PORT/feed/$i.xml\"/>"; done
    echo '</body></opml>'
} > "$OUT/shows.opml"
"$HARK" --data-dir "$DATA" import "$OUT/shows.opml" >/dev/null
"$HARK" --data-dir "$DATA" config refresh-interval 1m >/dev/null
# Every show was last refreshed long ago: the window's timer refreshes all of them at launch.
python3 - "$DATA/library.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.execute("UPDATE podcasts SET last_refresh = 0"); db.commit()
PY
kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
python3 "$(dirname "$0")/serve.py" $PORT "$SHOWS" "$OUT/server.json" & SERVER=$!
sleep 0.5
"$HARK" --data-dir "$DATA" >"$OUT/window.log" 2>&1 & WINDOW=$!
trap 'kill $SERVER $XVFB $WINDOW 2>/dev/null || true' EXIT
sleep 20
# The round is over; no show is due for another minute (and then the interval is set to a day).
"$HARK" --data-dir "$DATA" config refresh-interval 24h >/dev/null
sleep 5
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$WINDOW/stat; }
before=$(cpu); sleep 60; after=$(cpu)
kill -TERM $SERVER; wait $SERVER 2>/dev/null || true
python3 - "$OUT/server.json" "$before" "$after" "$ticks" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); before, after, ticks = map(float, sys.argv[2:5])
times = sorted(s["requests"])
print(f"requests {len(times)} (304: {s['not_modified']}), round {times[-1]-times[0]:.2f} s, "
      f"peak connections {s['peak']}, window CPU over the next 60 s: {(after-before)/ticks:.2f} s")
PY
