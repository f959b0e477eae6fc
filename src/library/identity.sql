-- What a feed says of its own identity, so a second address of a followed show is known as it:
-- its atom:link rel="self" and its podcast:guid.
ALTER TABLE podcasts ADD COLUMN self_url TEXT;
ALTER TABLE podcasts ADD COLUMN podcast_guid TEXT;
