-- vulnshare 0020: what a feed that follows a CSAF provider (format csaf-provider) knows between runs.
-- Written at the end of a run, in the transaction that advances the feed's status; a run that dies leaves
-- them as they were, so the next run looks again at everything it had not finished.

-- Files read before the documents (the provider metadata, changes.csv, ROLIE feeds, OpenPGP keys), with the
-- validators of their last answer: a 304 reuses the stored body.
CREATE TABLE csaf_feed_listings (
  feed_name     text        NOT NULL REFERENCES feeds (name) ON DELETE CASCADE,
  url           text        NOT NULL,
  etag          text,
  last_modified text,
  body          text        NOT NULL,
  fetched_at    timestamptz NOT NULL,
  PRIMARY KEY (feed_name, url)
);

-- One row per document URL the provider lists: the listing's timestamp when it was last looked at (changes.csv
-- time or the ROLIE entry's `updated`), what came of it and the sha256 of the bytes. A document is fetched
-- again when its listed timestamp changes, or when it was refused for a reason that may pass (a hash or
-- signature that did not match, a download that failed).
CREATE TABLE csaf_feed_documents (
  feed_name    text        NOT NULL REFERENCES feeds (name) ON DELETE CASCADE,
  url          text        NOT NULL,
  listed_at    text        NOT NULL,                                    -- the listing's timestamp, verbatim
  outcome      text        NOT NULL CHECK (outcome IN ('imported', 'invalid', 'refused')),
  reason       text,                                                    -- why it was refused or invalid
  sha256       text,                                                    -- of the bytes downloaded
  tracking_id  text,
  version      text,                                                    -- document.tracking.version
  checked_at   timestamptz NOT NULL,
  PRIMARY KEY (feed_name, url)
);
