#!/usr/bin/env bash
# side-by-side.sh [RUNS=5] — the speed round's rows, each against what a listener would use
# instead, on this machine, from a loopback server, interleaved runs, medians:
#   subscribe to the 2,000-episode 11 MB feed (whole process): hark, gPodder's gpo, and a bare
#     podcastparser fetch + parse in Python;
#   refresh, feed unchanged (304): hark refresh, gpo update;
#   download an 8-hour 460 MB MP3: hark download, curl -o;
#   play 20 s at 1× (CPU share of one core): hark play (speech chain on: loudness, the default),
#     mpv --ao=null, and both into the same clocked sound server when rt-audio-capture is there
#     (RT_AUDIO_CAPTURE=path, default ../shared/tools/rt-audio-capture).
# The window's rows are tools/big-library/measure.sh. Needs python3 (+ podcastparser), gpo
# (Debian: gpodder), curl, mpv, ffmpeg, GNU time and a release build (HARK=path).
# Run it on an idle machine: a build beside it changes every figure.
set -euo pipefail
RUNS=${1:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
HARK=${HARK:-$HERE/../../target/release/hark}
RT=${RT_AUDIO_CAPTURE:-$HERE/../../../shared/tools/rt-audio-capture}
WORK=$(mktemp -d); PORT=8795
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/hark-speed-round
mkdir -p "$WORK/www" "$CACHE"
cleanup() { kill "$SERVER" 2>/dev/null || true; [ -d "$WORK/rt" ] && "$RT" stop "$WORK/rt" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

python3 "$HERE/big_feed.py" "$WORK/www/big.xml"
[ -f "$CACHE/eight-hours.mp3" ] || "$HERE/make-long-episode.sh" "$CACHE/eight-hours.mp3"
ln -s "$CACHE/eight-hours.mp3" "$WORK/www/long.mp3"
cat >"$WORK/www/long.xml" <<XML
<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title><item><guid>long</guid>
<title>The long one</title><enclosure url="http://127.0.0.1:$PORT/long.mp3" type="audio/mpeg"
length="$(stat -c %s "$CACHE/eight-hours.mp3")"/></item></channel></rss>
XML
python3 "$HERE/serve.py" "$WORK/www" $PORT & SERVER=$!
sleep 0.5
cat "$CACHE/eight-hours.mp3" >/dev/null
FEED=http://127.0.0.1:$PORT/big.xml

wall() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -1; }
record() { echo "$2" >>"$WORK/$1.txt"; }
median() { sort -n "$WORK/$1.txt" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for run in $(seq "$RUNS"); do
    d="$WORK/hark$run"; g="$WORK/gpo$run"; mkdir -p "$g"
    record hark-subscribe "$(wall "$HARK" --data-dir "$d" subscribe "$FEED")"
    record gpo-subscribe "$(GPODDER_HOME=$g GPODDER_DOWNLOAD_DIR=$g/dl wall gpo subscribe "$FEED")"
    record podcastparser "$(wall python3 -c "import podcastparser, urllib.request as u; podcastparser.parse('$FEED', u.urlopen('$FEED'))")"
    record hark-refresh "$(wall "$HARK" --data-dir "$d" refresh)"
    record gpo-update "$(GPODDER_HOME=$g GPODDER_DOWNLOAD_DIR=$g/dl wall gpo update)"
    "$HARK" --data-dir "$d" subscribe "http://127.0.0.1:$PORT/long.xml" >/dev/null
    record hark-download "$(wall "$HARK" --data-dir "$d" download "long one")"
    record curl "$(wall curl -s -o "$WORK/curl.mp3" "http://127.0.0.1:$PORT/long.mp3")"
    rm -rf "$WORK/curl.mp3" "$g"
    [ "$run" = "$RUNS" ] || rm -rf "$d"
done

# Playing: CPU seconds over 20 s of playing ÷ 20 s, the process's own clock (/proc/PID/stat).
TICKS=$(getconf CLK_TCK)
cpu_share() { # PID SECONDS
    sleep 2 # past the start
    local before=$(awk '{print $14+$15}' "/proc/$1/stat")
    sleep "$2"
    local after=$(awk '{print $14+$15}' "/proc/$1/stat")
    echo "scale=2; 100 * ($after - $before) / $TICKS / $2" | bc
}
play_row() { # NAME COMMAND...
    local name=$1; shift
    for _ in $(seq "$RUNS"); do
        "$@" >/dev/null 2>&1 & local pid=$!
        record "$name" "$(cpu_share $pid 20)"
        kill -INT $pid 2>/dev/null; wait $pid 2>/dev/null || true
    done
}
d="$WORK/hark$RUNS"
play_row hark-play-null "$HARK" --data-dir "$d" play --from 10:00 "long one"
play_row mpv-null mpv --no-config --no-video --ao=null --start=600 "$CACHE/eight-hours.mp3"
if [ -x "$RT" ] && "$RT" start "$WORK/rt" >"$WORK/rt.env" 2>/dev/null; then
    play_row hark-play-device env $(grep = "$WORK/rt.env") "$HARK" --data-dir "$d" play --from 10:00 "long one"
    play_row mpv-device env $(grep = "$WORK/rt.env") mpv --no-config --no-video --ao=alsa --start=600 "$CACHE/eight-hours.mp3"
fi

row() { # LABEL HARK_FILE OTHER_FILE OTHER_LABEL UNIT
    [ -f "$WORK/$2.txt" ] || return 0
    local ours=$(median "$2") theirs=$(median "$3")
    printf '| %s | %s %s | %s: %s %s | %s× |\n' "$1" "$ours" "$5" "$4" "$theirs" "$5" "$(echo "scale=2; $ours / $theirs" | bc)"
}
echo
echo "| work ($RUNS runs, medians) | Hark | other | ratio |"
echo "|---|---|---|---|"
row "subscribe, 2,000 episodes, 11 MB" hark-subscribe gpo-subscribe "gpo subscribe" s
row "subscribe vs a bare Python parse" hark-subscribe podcastparser "podcastparser fetch+parse" s
row "refresh, unchanged (304)" hark-refresh gpo-update "gpo update" s
row "download 460 MB (8 h) MP3" hark-download curl "curl -o" s
row "play 20 s at 1×, no device" hark-play-null mpv-null "mpv --ao=null" "% CPU"
row "play 20 s at 1×, clocked device" hark-play-device mpv-device "mpv --ao=alsa" "% CPU"
