-- Bookmarks: moments the listener marked, with an optional note. A bookmark names its episode
-- by identity (the show's feed address key, the episode's guid, the enclosure URL as a
-- fallback) and keeps the titles and link it had, so it outlives the episode's row: when the
-- show is removed it stays (episode_id NULL) and re-attaches when the episode comes back.
CREATE TABLE bookmarks (
    id            INTEGER PRIMARY KEY,
    episode_id    INTEGER REFERENCES episodes(id) ON DELETE SET NULL,
    feed_url      TEXT NOT NULL,
    feed_key      TEXT NOT NULL,
    guid          TEXT,
    enclosure_url TEXT NOT NULL DEFAULT '',
    podcast_title TEXT NOT NULL,
    episode_title TEXT NOT NULL,
    -- The episode's own link (its page, else its audio), for the #t= link.
    page_link     TEXT NOT NULL DEFAULT '',
    at_secs       REAL NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    created       INTEGER NOT NULL
);
CREATE INDEX bookmarks_of_episode ON bookmarks (episode_id);
CREATE INDEX bookmarks_detached ON bookmarks (guid, enclosure_url) WHERE episode_id IS NULL;

-- An episode that comes (back): the bookmarks that name it attach to it. hark_feed_key() is
-- model::address::feed_address_key, registered on each connection.
CREATE TRIGGER bookmarks_attach AFTER INSERT ON episodes
WHEN EXISTS (SELECT 1 FROM bookmarks WHERE episode_id IS NULL) BEGIN
    UPDATE bookmarks SET episode_id = NEW.id
    WHERE episode_id IS NULL
      AND ((guid IS NOT NULL AND guid = NEW.guid
            AND feed_key = hark_feed_key((SELECT feed_url FROM podcasts WHERE id = NEW.podcast_id)))
           OR (enclosure_url != '' AND enclosure_url = NEW.url));
END;
-- The titles and identity follow the feed while attached.
CREATE TRIGGER bookmarks_episode_changed AFTER UPDATE OF title, guid, url, link ON episodes
WHEN EXISTS (SELECT 1 FROM bookmarks WHERE episode_id = NEW.id) BEGIN
    UPDATE bookmarks SET episode_title = NEW.title, guid = NEW.guid, enclosure_url = NEW.url,
                         page_link = coalesce(NEW.link, NEW.url)
    WHERE episode_id = NEW.id;
END;
CREATE TRIGGER bookmarks_show_changed AFTER UPDATE OF title, feed_url ON podcasts BEGIN
    UPDATE bookmarks SET podcast_title = NEW.title, feed_url = NEW.feed_url, feed_key = hark_feed_key(NEW.feed_url)
    WHERE episode_id IN (SELECT id FROM episodes WHERE podcast_id = NEW.id);
END;

-- Searching bookmarks: the note, the episode's and the show's titles (rowid = bookmarks.id).
CREATE VIRTUAL TABLE search_bookmarks USING fts5(
    note, episode, show,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER search_bookmark_added AFTER INSERT ON bookmarks BEGIN
    INSERT INTO search_bookmarks (rowid, note, episode, show)
    VALUES (new.id, new.note, new.episode_title, new.podcast_title);
END;
CREATE TRIGGER search_bookmark_changed AFTER UPDATE OF note, episode_title, podcast_title ON bookmarks BEGIN
    DELETE FROM search_bookmarks WHERE rowid = old.id;
    INSERT INTO search_bookmarks (rowid, note, episode, show)
    VALUES (new.id, new.note, new.episode_title, new.podcast_title);
END;
CREATE TRIGGER search_bookmark_removed AFTER DELETE ON bookmarks BEGIN
    DELETE FROM search_bookmarks WHERE rowid = old.id;
END;
