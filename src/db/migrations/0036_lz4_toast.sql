-- Issue 16: the large values of an import (the verbatim source, the prepared record, the merged document, its
-- tsvector) are compressed with lz4 where the server has it. Measured on 60,000 CVE records on PostgreSQL 15:
-- writing raw + record took 13.5 s with pglz and 4.6 s with lz4, for 10 % more disk. Only new values are
-- compressed this way; nothing is rewritten. PGlite is built without lz4: its values stay pglz.
DO $$
BEGIN
  ALTER TABLE source_records ALTER COLUMN raw SET COMPRESSION lz4, ALTER COLUMN record SET COMPRESSION lz4;
  ALTER TABLE vulnerabilities ALTER COLUMN doc SET COMPRESSION lz4, ALTER COLUMN search SET COMPRESSION lz4;
  ALTER TABLE vuln_history ALTER COLUMN fields SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available here: large values stay compressed with pglz';
END
$$;
