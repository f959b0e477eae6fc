-- What the feed last said of its own new home (itunes:new-feed-url): a move is followed on
-- the next refresh even when the old feed stops changing (answers 304).
ALTER TABLE podcasts ADD COLUMN declared_feed_url TEXT;
-- Nothing is known yet of what each feed declares: the next refresh reads every feed whole once
-- (no validators), so a move a frozen feed declared long ago is learnt and followed.
UPDATE podcasts SET etag = NULL, last_modified = NULL, body_hash = NULL;
-- itunes:type serial (audiobooks, story series): listed and played oldest first.
ALTER TABLE podcasts ADD COLUMN serial INTEGER NOT NULL DEFAULT 0;
-- itunes:episodeType: NULL or 'full', 'trailer', 'bonus'.
ALTER TABLE episodes ADD COLUMN episode_type TEXT;
