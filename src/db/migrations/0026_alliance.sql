-- The alliance registry (网络安全威胁治理联盟, CCTGA): one membership per member organisation. The member is an
-- ordinary organisation (accounts' table); this row holds its certificate (canonical CCTGA-NNNNNN, unique by
-- number, and the form the source wrote), when it joined, its status and when it is due for renewal.
CREATE TABLE alliance_memberships (
  organisation_id bigint      PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
  certificate     text        NOT NULL,             -- canonical: CCTGA-000150
  certificate_raw text        NOT NULL,             -- as written at import: CCTGA-0000150
  joined_on       date        NOT NULL,
  status          text        NOT NULL DEFAULT 'active'
                  CONSTRAINT alliance_memberships_status_check CHECK (status IN ('active', 'suspended', 'expired')),
  renewal_on      date,
  source          text,                             -- file:line it was imported from
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX alliance_memberships_certificate_idx ON alliance_memberships (certificate);
CREATE INDEX alliance_memberships_status_idx ON alliance_memberships (status, certificate);
