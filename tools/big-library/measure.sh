#!/usr/bin/env bash
# measure.sh OUT [RUNS=5] — launch-to-first-frame, settle time and memory of the window on the
# big library made by make.py, under Xvfb, warm cache: the library is imported once (and the
# window run once to cache the art), then RUNS launches are measured. Each prints
#   first_frame_s settled_s rss_anon_mb peak_rss_mb
# and the medians follow. "Settled": the process used < 5 % of a core over the last 0.5 s.
# Needs Xvfb, bc and a built hark (HARK=path, default target/release/hark). Xvfb's pointer rests
# at the screen's centre, over an episode row: its tooltip opening is part of "settled".
set -euo pipefail
OUT=$(cd "$1" && pwd); RUNS=${2:-5}
HARK=${HARK:-$(dirname "$0")/../../target/release/hark}
DATA=$OUT/data; PORT=8790
(cd "$OUT" && exec python3 -m http.server $PORT --bind 127.0.0.1 >"$OUT/server.log" 2>&1) & SERVER=$!
export DISPLAY=:91
# A previous run's server may still be letting go of the display.
for _ in $(seq 50); do [ -e /tmp/.X91-lock ] || break; sleep 0.1; done
Xvfb :91 -screen 0 1280x800x24 >/dev/null 2>&1 & XVFB=$!
trap 'kill $SERVER $XVFB 2>/dev/null' EXIT
sleep 1
if [ ! -f "$DATA/library.sqlite3" ]; then
    "$HARK" --data-dir "$DATA" import "$OUT/library.opml" >/dev/null
fi
ticks=$(getconf CLK_TCK)
launch() { # prints first_frame settled rss_anon peak
    local start=$(date +%s.%N)
    HARK_LOG=info "$HARK" --data-dir "$DATA" >"$OUT/window.log" 2>&1 &
    local pid=$! settled="" last_cpu=0 last_t=$start quiet_since=""
    while [ -z "$settled" ]; do
        sleep 0.1
        local now=$(date +%s.%N)
        local cpu=$(awk '{print $14+$15}' /proc/$pid/stat)
        local busy=$(echo "($cpu-$last_cpu)/$ticks/($now-$last_t)" | bc -l)
        last_cpu=$cpu; last_t=$now
        if (( $(echo "$busy < 0.05" | bc -l) )); then
            quiet_since=${quiet_since:-$now}
            if (( $(echo "$now - $quiet_since >= 0.5" | bc -l) )); then settled=$(echo "$quiet_since - $start" | bc -l); fi
        else
            quiet_since=""
        fi
        if (( $(echo "$now - $start > 60" | bc -l) )); then settled=60; fi
    done
    local anon=$(awk '/RssAnon/ {print $2/1024}' /proc/$pid/status)
    local peak=$(awk '/VmHWM/ {print $2/1024}' /proc/$pid/status)
    kill $pid; wait $pid 2>/dev/null || true
    local first=$(grep -o 'first frame [0-9.]*[mµn]*s' "$OUT/window.log" | head -1 | awk '{print $3}')
    printf '%s %.2f %.0f %.0f\n' "$first" "$settled" "$anon" "$peak"
}
launch >/dev/null # warms the art cache and the page cache
for i in $(seq "$RUNS"); do launch; done | tee "$OUT/runs.txt"
echo "medians:"; for col in 2 3 4; do sort -n -k$col "$OUT/runs.txt" | awk -v c=$col '{v[NR]=$c} END {printf "%s ", v[int((NR+1)/2)]}'; done; echo
