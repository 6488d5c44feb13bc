-- Issue 16: a source record's prepared form is kept as JSON text, not jsonb. Nothing queries inside it but the
-- anchor (a CSAF vulnerability's CVE id), which gets a column of its own; the application parses it on read as
-- it did the jsonb, and an import sends it in binary beside the batch's JSON instead of inside it, so the server
-- no longer parses it into jsonb on the way in nor prints it back on the way out.
ALTER TABLE source_records ADD COLUMN anchor text;
UPDATE source_records SET anchor = record->>'anchor' WHERE record->>'anchor' IS NOT NULL;
DROP INDEX source_records_anchor_idx;
ALTER TABLE source_records ALTER COLUMN record TYPE text USING record::text;
CREATE INDEX source_records_anchor_idx ON source_records (anchor) WHERE anchor IS NOT NULL;
DO $$
BEGIN
  ALTER TABLE source_records ALTER COLUMN record SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available here: source records stay compressed with pglz';
END
$$;
