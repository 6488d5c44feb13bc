-- The Atom feed lists new and updated records by when the store last changed them.
CREATE INDEX vulnerabilities_modified_idx ON vulnerabilities (modified_at DESC, id DESC);
