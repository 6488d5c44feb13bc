-- vulnshare 0016: enrichment records that attach by an id other than their key.
-- A CSAF vulnerability is keyed by its document (namespace, tracking id) and attaches to the vulnerabilities
-- carrying its CVE id, kept as record->>'anchor'; an identity record citing that CVE finds it through here.
CREATE INDEX source_records_anchor_idx ON source_records ((record->>'anchor'))
  WHERE (record->>'anchor') IS NOT NULL;
