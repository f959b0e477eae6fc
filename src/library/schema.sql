CREATE TABLE podcasts (
    id            INTEGER PRIMARY KEY,
    feed_url      TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    author        TEXT,
    description   TEXT,
    link          TEXT,
    art_url       TEXT,
    etag          TEXT,
    last_modified TEXT,
    body_hash     TEXT,
    last_refresh  INTEGER,
    last_error    TEXT,
    added_at      INTEGER NOT NULL,
    bundled       INTEGER NOT NULL DEFAULT 0,
    -- JSON of model::Related (podroll, funding, people)
    related       TEXT
);

CREATE TABLE episodes (
    id              INTEGER PRIMARY KEY,
    podcast_id      INTEGER NOT NULL REFERENCES podcasts(id) ON DELETE CASCADE,
    identity        TEXT NOT NULL,
    guid            TEXT,
    title           TEXT NOT NULL,
    published       INTEGER,
    duration_secs   INTEGER,
    url             TEXT NOT NULL,
    mime            TEXT,
    length          INTEGER,
    notes_html      TEXT,
    episode_number  INTEGER,
    season_number   INTEGER,
    link            TEXT,
    image_url       TEXT,
    chapters_url    TEXT,
    transcript_url  TEXT,
    explicit        INTEGER NOT NULL DEFAULT 0,
    content_hash    TEXT NOT NULL,
    position_secs   REAL NOT NULL DEFAULT 0,
    played          INTEGER NOT NULL DEFAULT 0,
    downloaded_path TEXT,
    last_played_at  INTEGER,
    UNIQUE (podcast_id, identity)
);

CREATE INDEX episodes_by_podcast ON episodes (podcast_id, published DESC);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Up Next: the listener's queue, in order.
CREATE TABLE queue (
    episode_id INTEGER PRIMARY KEY REFERENCES episodes(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL
);
