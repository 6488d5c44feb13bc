-- vulnshare 0019: platform advisories — an analyst's advisory grouping several published records, exported as
-- one CSAF 2.0 document. A draft is edited freely; publishing assigns the public id (VS-SA-<year>-<n>) and
-- freezes the content as revision 1; publishing again after a change freezes the next revision (the CSAF
-- tracking version). The record ids are the records' public ids (no foreign key: a draft may name a verified
-- report still under embargo, which publishing refuses).
CREATE TABLE advisories (
  id bigserial PRIMARY KEY,
  public_id text UNIQUE,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  title_zh text,
  title_en text,
  summary_zh text,
  summary_en text,
  tlp text NOT NULL DEFAULT 'WHITE' CHECK (tlp IN ('WHITE', 'GREEN', 'AMBER', 'RED')),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  CHECK (title_zh IS NOT NULL OR title_en IS NOT NULL),
  CHECK ((status = 'published') = (public_id IS NOT NULL AND published_at IS NOT NULL))
);
CREATE INDEX advisories_status_idx ON advisories (status, updated_at DESC);

CREATE TABLE advisory_vulnerabilities (
  advisory_id bigint NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  vuln_public_id text NOT NULL,
  position integer NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (advisory_id, vuln_public_id)
);

-- one row per published revision: what was published, frozen (titles, summaries, TLP, record ids)
CREATE TABLE advisory_revisions (
  advisory_id bigint NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  at timestamptz NOT NULL,
  summary text,
  actor text NOT NULL,
  content jsonb NOT NULL,
  PRIMARY KEY (advisory_id, number)
);

-- the last number given per year (VS-SA-2026-0001, …)
CREATE TABLE advisory_counters (
  year integer PRIMARY KEY,
  last integer NOT NULL
);
