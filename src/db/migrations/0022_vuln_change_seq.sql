-- vulnshare 0022: a monotonic change sequence on vulnerabilities, the cursor of the federation change feed.
-- modified_at is the writing transaction's start time, so a transaction that started earlier but committed
-- later would land behind a reader's cursor; the sequence is drawn when the row is written, and every writer
-- of vulnerabilities holds the import lock (imports/store.ts lockImports) until it commits, so committed
-- values only grow.
CREATE SEQUENCE vuln_change_seq;
ALTER TABLE vulnerabilities ADD COLUMN change_seq bigint;
UPDATE vulnerabilities v SET change_seq = s.n
  FROM (SELECT id, row_number() OVER (ORDER BY modified_at, id) AS n FROM vulnerabilities) s
  WHERE v.id = s.id;
SELECT setval('vuln_change_seq', coalesce(max(change_seq), 0) + 1, false) FROM vulnerabilities;

CREATE FUNCTION vuln_change_seq_next() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_seq := nextval('vuln_change_seq');
  RETURN NEW;
END
$$;
CREATE TRIGGER vulnerabilities_change_seq BEFORE INSERT OR UPDATE ON vulnerabilities
  FOR EACH ROW EXECUTE FUNCTION vuln_change_seq_next();
ALTER TABLE vulnerabilities ALTER COLUMN change_seq SET NOT NULL;
CREATE UNIQUE INDEX vulnerabilities_change_seq_idx ON vulnerabilities (change_seq);
