-- Migration 5: how each show is listened to, each episode's loudness, and listening time.

-- Integrated loudness (EBU R128, LUFS) of the downloaded file; the show's is its newest
-- measured episode's, the starting point for one that is streamed.
ALTER TABLE episodes ADD COLUMN loudness_lufs REAL;
ALTER TABLE podcasts ADD COLUMN loudness_lufs REAL;

-- A show's own way of listening; NULL follows the listener's settings.
CREATE TABLE show_settings (
    podcast_id INTEGER PRIMARY KEY REFERENCES podcasts(id) ON DELETE CASCADE,
    speed REAL,
    skip_silence TEXT,
    voice_boost INTEGER,
    loudness INTEGER,
    skip_intro_secs REAL NOT NULL DEFAULT 0,
    skip_outro_secs REAL NOT NULL DEFAULT 0
);

-- Time spent listening and time saved, per episode. No foreign key: the totals are the
-- listener's and outlive an unsubscribed show.
CREATE TABLE listening_time (
    episode_id INTEGER PRIMARY KEY,
    podcast_id INTEGER NOT NULL,
    listened_secs REAL NOT NULL DEFAULT 0,
    saved_by_speed_secs REAL NOT NULL DEFAULT 0,
    saved_by_silence_secs REAL NOT NULL DEFAULT 0
);
CREATE INDEX listening_time_podcast ON listening_time(podcast_id);
