#!/usr/bin/env bash
# download.sh FILE [RUNS=5] — `hark download` of one big episode against `curl -o` of the same
# file, from a loopback server, interleaved, warm cache; prints each run's wall, user and system
# seconds and the medians. FILE: e.g. the 8-hour MP3 made by make-long-episode.sh.
# Needs python3, curl, GNU time and a built hark (HARK=path, default target/release/hark).
set -euo pipefail
FILE=$(realpath "$1"); RUNS=${2:-5}
HARK=${HARK:-$(dirname "$0")/../../target/release/hark}
WORK=$(mktemp -d); PORT=8791
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir "$WORK/www"; ln -s "$FILE" "$WORK/www/episode.mp3"
size=$(stat -c %s "$FILE")
cat >"$WORK/www/feed.xml" <<XML
<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title><item><guid>long</guid>
<title>The long one</title><enclosure url="http://127.0.0.1:$PORT/episode.mp3" type="audio/mpeg" length="$size"/>
</item></channel></rss>
XML
(cd "$WORK/www" && exec python3 -m http.server $PORT --bind 127.0.0.1 >/dev/null 2>&1) & SERVER=$!
sleep 0.5
cat "$FILE" >/dev/null # warm the page cache
timed() { /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1; }
: >"$WORK/hark.txt"; : >"$WORK/curl.txt"; : >"$WORK/curl-sync.txt"
for run in $(seq "$RUNS"); do
    data="$WORK/data$run"
    "$HARK" --data-dir "$data" subscribe "http://127.0.0.1:$PORT/feed.xml" >/dev/null
    timed "$HARK" --data-dir "$data" download "long one" | tee -a "$WORK/hark.txt" | sed 's/^/hark download: /'
    rm -rf "$data"
    timed curl -s -o "$WORK/curl.mp3" "http://127.0.0.1:$PORT/episode.mp3" | tee -a "$WORK/curl.txt" | sed 's/^/curl -o:       /'
    rm -f "$WORK/curl.mp3"
    # Hark's download is on disk when it says so (synced); curl's is in the page cache. The same
    # promise for curl: its file synced before it counts as done.
    timed sh -c "curl -s -o '$WORK/curl.mp3' 'http://127.0.0.1:$PORT/episode.mp3' && sync '$WORK/curl.mp3'" |
        tee -a "$WORK/curl-sync.txt" | sed 's/^/curl + sync:   /'
    rm -f "$WORK/curl.mp3"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for tool in hark curl curl-sync; do
    printf '%s median: wall %s s, user %s s, system %s s\n' "$tool" \
        "$(cut -d' ' -f1 "$WORK/$tool.txt" | median)" "$(cut -d' ' -f2 "$WORK/$tool.txt" | median)" \
        "$(cut -d' ' -f3 "$WORK/$tool.txt" | median)"
done
