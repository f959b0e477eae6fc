#!/usr/bin/env bash
# measure.sh [SECONDS=20] — the window's CPU while it plays (issue #22: ≤ 3 % of one core): a
# fresh library (the demo show), the window under Xvfb at its default size, "The spoken clock"
# clicked and played into a clocked sound server (../shared/tools/rt-audio-capture, or
# RT_AUDIO_CAPTURE=path), then the process's own CPU time (/proc/PID/stat) over SECONDS ÷ SECONDS.
# Also prints it paused, for comparison. Needs Xvfb, xdotool, pulseaudio (via rt-audio-capture)
# and a release build (HARK=path, default target/release/hark).
set -euo pipefail
SECONDS_PLAYED=${1:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
HARK=${HARK:-$HERE/../../target/release/hark}
RT=${RT_AUDIO_CAPTURE:-$HERE/../../../shared/tools/rt-audio-capture}
WORK=$(mktemp -d)
export DISPLAY=:93
Xvfb :93 -screen 0 1280x800x24 >/dev/null 2>&1 & XVFB=$!
cleanup() { kill "${APP:-}" "$XVFB" 2>/dev/null || true; "$RT" stop "$WORK/rt" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
mkdir -p "$WORK/rt"
export $("$RT" start "$WORK/rt")
sleep 1
"$HARK" --data-dir "$WORK/data" >"$WORK/window.log" 2>&1 & APP=$!
for _ in $(seq 100); do WID=$(xdotool search --name "^Hark$" 2>/dev/null | head -1 || true); [ -n "$WID" ] && break; sleep 0.1; done
xdotool windowsize "$WID" 1200 760
sleep 2
# The demo show's second episode, then ▶ Play on its page (where the default size puts them).
xdotool mousemove --window "$WID" 510 247 click 1; sleep 1
xdotool mousemove --window "$WID" 818 91 click 1
# The pointer away from every widget (a hovered tooltip would animate).
xdotool mousemove --window "$WID" 1190 400
TICKS=$(getconf CLK_TCK)
share() { # SECONDS → CPU share of one core, in %
    local before=$(awk '{print $14+$15}' "/proc/$APP/stat")
    sleep "$1"
    local after=$(awk '{print $14+$15}' "/proc/$APP/stat")
    echo "scale=2; ($after - $before) * 100 / $TICKS / $1" | bc -l
}
sleep 3
echo "playing: $(share "$SECONDS_PLAYED") % of one core over $SECONDS_PLAYED s"
grep -q "playing silently" "$WORK/window.log" && echo "(warning: no sound device was found)"
xdotool mousemove --window "$WID" 366 725 click 1   # the transport's play/pause
sleep 5
echo "paused:  $(share 10) % of one core over 10 s"
