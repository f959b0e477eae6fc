#!/usr/bin/env bash
# Regenerates the bundled demo show: our own words spoken by espeak-ng, our own art.
# Needs: espeak-ng sox ffmpeg imagemagick. Output is CC0, like the script.
set -euo pipefail
cd "$(dirname "$0")/demo"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { espeak-ng -v en-us -s 155 -w "$tmp/$1.wav" "$2"; sox "$tmp/$1.wav" -r 22050 -c 1 "$tmp/$1-r.wav"; }
encode() { ffmpeg -loglevel error -y -i "$1" -ac 1 -ar 22050 -codec:a libmp3lame -b:a 32k "$2"; }

say welcome "Welcome to Hark, a podcast player that works offline. This demo show lives inside the app, so you can try everything without a network. Press space to play or pause. Press the left arrow to go back ten seconds, and the right arrow to skip thirty seconds ahead. Add your own shows with the box on the left."
encode "$tmp/welcome-r.wav" episode-1.mp3

# A spoken clock: each mark is spoken exactly at its second, so a skip can be checked by ear.
marks=()
for s in 0 10 20 30 40 50; do
  say "mark$s" "$s seconds"
  sox "$tmp/mark$s-r.wav" "$tmp/pad$s.wav" pad 0 10 trim 0 10 2>/dev/null
  marks+=("$tmp/pad$s.wav")
done
sox "${marks[@]}" "$tmp/clock.wav"
encode "$tmp/clock.wav" episode-2.mp3

say offline "Everything you listen to in Hark is saved as you hear it. Streaming is downloading, so when the train goes into a tunnel, the episode keeps playing. Your place in every episode is saved every two seconds, and again when you pause."
encode "$tmp/offline-r.wav" episode-3.mp3

convert -size 600x600 gradient:'#1f4e79-#0b1d2e' \
  -fill '#f2b134' -draw 'circle 190,250 190,200' \
  -fill none -stroke '#f2b134' -strokewidth 22 \
  -draw "path 'M 254,186 A 90,90 0 0,1 254,314'" -draw "path 'M 303,137 A 160,160 0 0,1 303,363'" -draw "path 'M 353,87 A 230,230 0 0,1 353,413'" \
  -stroke none -fill white -font DejaVu-Sans-Bold -pointsize 96 -gravity south -annotate +0+70 'Hark' \
  -pointsize 34 -annotate +0+30 'demo show' art.png
for f in episode-*.mp3; do echo "$f $(stat -c %s "$f") bytes $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f") s"; done
