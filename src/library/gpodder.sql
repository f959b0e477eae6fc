-- Sync with a gpodder-API server (podsync, gpodder.net, mygpo) or Nextcloud's gpoddersync.
-- The account, never its password (that lives in the desktop's secret store, or a file only the
-- user can read).
CREATE TABLE sync_account (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    kind        TEXT NOT NULL,
    server      TEXT NOT NULL,
    user        TEXT NOT NULL,
    device      TEXT NOT NULL,
    registered  INTEGER NOT NULL DEFAULT 0,
    last_sync   INTEGER,
    last_result TEXT,
    last_error  TEXT
);
-- The server's own timestamp from its last answer, per list: a device's subscriptions
-- ('subs:<device>') and the account's episode actions ('actions'). Never the local clock.
CREATE TABLE sync_since (
    list  TEXT PRIMARY KEY,
    since INTEGER NOT NULL
);
-- Local changes the server has not confirmed yet: one row per feed (subscribe or unsubscribe)
-- or per episode (its state after its last change here). Emptied only when the server
-- confirmed; `attempted` rows were sent once without an answer.
CREATE TABLE sync_outbox (
    key       TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    podcast   TEXT NOT NULL,
    episode   TEXT,
    guid      TEXT,
    started   REAL,
    position  REAL,
    played    INTEGER,
    duration  INTEGER,
    at        INTEGER NOT NULL,
    attempted INTEGER NOT NULL DEFAULT 0,
    -- Counts the changes to this row: a confirmation removes only what it sent.
    rev       INTEGER NOT NULL DEFAULT 0
);
-- What was seen of each remote thing: the last few actions of an episode (by their kind, time
-- and place), the last change of a device's subscription. An answer that repeats itself (a
-- since the server cannot move, a backend that ignores it, our own actions coming back)
-- changes nothing twice.
CREATE TABLE sync_seen (
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, value)
);
-- Shows another device follows that are not subscribed here yet (their feed was not fetched).
CREATE TABLE sync_wanted (
    url TEXT PRIMARY KEY
);
-- Remote episode actions that matched no episode here yet (their show is being subscribed).
-- (AUTOINCREMENT: a row held again never takes the number of one taken before, so a pass over
-- the inbox up to its last row ends.)
CREATE TABLE sync_inbox (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    key    TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL
);
