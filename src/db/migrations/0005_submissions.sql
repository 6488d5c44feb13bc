-- Submissions (报送): what reporters send, its triage / verification workflow, attachments, ids.
CREATE TABLE submissions (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tracking_no      text        NOT NULL UNIQUE,     -- shown to the reporter, e.g. S-20260105-7KQ2M9XW
  reporter_id      bigint      NOT NULL REFERENCES users (id),
  reporter_org_id  bigint      REFERENCES organisations (id),
  kind             text        NOT NULL,            -- general (a product flaw) | event (one organisation's system)
  title            text        NOT NULL,
  vendor           text,
  product          text,
  version          text,
  affected_org     text,                            -- event type: the organisation
  affected_system  text,                            -- event type: URL / host
  description      text        NOT NULL,
  reproduction     text,
  poc              text,
  cve_id           text,
  cvss_vector      text,
  cvss_version     text,
  cvss_score       numeric(3,1),
  severity         text,
  weakness_cwe     text,
  weakness_zh      text,
  originality      text        NOT NULL,            -- original | collected
  source_url       text,                            -- collected: where it was published
  state            text        NOT NULL DEFAULT 'submitted',
  state_reason     text,
  assignee_id      bigint      REFERENCES users (id),
  duplicate_of     bigint      REFERENCES submissions (id),
  vuln_public_id   text,                            -- the id in the platform's namespace once verified (general type)
  vendor_key       text,
  product_key      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX submissions_reporter_idx ON submissions (reporter_id, id DESC);
CREATE INDEX submissions_state_idx ON submissions (state, id);
CREATE INDEX submissions_product_idx ON submissions (vendor_key, product_key);
CREATE INDEX submissions_cve_idx ON submissions (cve_id) WHERE cve_id IS NOT NULL;
CREATE UNIQUE INDEX submissions_public_id_idx ON submissions (vuln_public_id) WHERE vuln_public_id IS NOT NULL;

-- every state change: who, when, from, to, note
CREATE TABLE submission_transitions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_id      bigint      REFERENCES users (id),
  actor         text        NOT NULL,
  from_state    text,
  to_state      text        NOT NULL,
  note          text
);
CREATE INDEX submission_transitions_idx ON submission_transitions (submission_id, id);

-- verification records (验证): environment, steps, result, POC link, the verifying organisation (信息提供者)
CREATE TABLE verifications (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id  bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  environment    text        NOT NULL,
  steps          text        NOT NULL,
  result         text        NOT NULL,             -- reproduced | not_reproduced
  poc_url        text,
  verifier       text        NOT NULL,
  verified_by    bigint      REFERENCES users (id),
  at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verifications_submission_idx ON verifications (submission_id);

-- attachments are stored once per content (sha-256) and linked to submissions
CREATE TABLE blobs (
  sha256       text        PRIMARY KEY,
  size         integer     NOT NULL,
  content_type text        NOT NULL,
  content      bytea       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE submission_attachments (
  submission_id bigint NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  sha256        text   NOT NULL REFERENCES blobs (sha256),
  filename      text   NOT NULL,
  PRIMARY KEY (submission_id, sha256)
);

-- gap-free id sequences per prefix and year: the row lock serialises allocation; a rolled-back
-- transaction gives its number back
CREATE TABLE id_counters (
  prefix text    NOT NULL,
  year   integer NOT NULL,
  last   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (prefix, year)
);
