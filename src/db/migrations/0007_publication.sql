-- Publication of submissions: an embargo end (a moment, stored with its zone) and when it was published.
ALTER TABLE submissions ADD COLUMN embargo_until timestamptz;
ALTER TABLE submissions ADD COLUMN published_at timestamptz;
CREATE INDEX submissions_embargo_idx ON submissions (embargo_until) WHERE embargo_until IS NOT NULL AND published_at IS NULL;
