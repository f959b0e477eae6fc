#!/usr/bin/env python3
"""What a real-time capture of a spoken episode holds: how long from the first sound to the
last, how much of it is speech (10 ms windows within 30 dB of the loudest), and the largest
sample-to-sample step inside pauses (a click at a join would be one).

usage: heard.py CAPTURE.wav
"""
import sys
import wave

import numpy as np

with wave.open(sys.argv[1]) as w:
    rate, channels = w.getframerate(), w.getnchannels()
    data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768
left = data.reshape(-1, channels)[:, 0]
window = rate // 100
windows = left[: len(left) // window * window].reshape(-1, window)
db = 10 * np.log10((windows**2).mean(axis=1) + 1e-12)
sound = np.nonzero(db > -75)[0]
first, last = sound[0], sound[-1]
span = (last - first + 1) / 100
speech = (db[first : last + 1] > db.max() - 30).sum() / 100
quiet = db < db.max() - 40
steps = np.abs(np.diff(windows, axis=1)).max(axis=1)
pause_step = steps[first : last + 1][quiet[first : last + 1]].max() if quiet[first : last + 1].any() else 0.0
print(f"heard {span:.2f} s, speech {speech:.2f} s, largest step in pauses {pause_step:.5f}")
