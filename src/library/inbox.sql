-- The Inbox: when an episode arrived by a refresh, until the listener dismisses it (NULL: not
-- in the Inbox). A new subscription puts only its newest episode there.
ALTER TABLE episodes ADD COLUMN inbox_at INTEGER;
CREATE INDEX episodes_in_inbox ON episodes (inbox_at) WHERE inbox_at IS NOT NULL;
-- Refreshing on a timer: how many refreshes in a row failed (the feed backs off), and whether
-- the show's new episodes are announced on the desktop.
ALTER TABLE podcasts ADD COLUMN refresh_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE podcasts ADD COLUMN notify INTEGER NOT NULL DEFAULT 1;
-- How often the feed says it changes (sy:updatePeriod, podcast:updateFrequency), in seconds.
ALTER TABLE podcasts ADD COLUMN update_every_secs INTEGER;
-- Listening to an episode (or marking it played) takes it out of the Inbox, as dismissing does.
CREATE TRIGGER inbox_left_when_heard AFTER UPDATE OF played, position_secs ON episodes
WHEN NEW.inbox_at IS NOT NULL AND (NEW.played = 1 OR NEW.position_secs > 0) BEGIN
    UPDATE episodes SET inbox_at = NULL WHERE id = NEW.id;
END;
