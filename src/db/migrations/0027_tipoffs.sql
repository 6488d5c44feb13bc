-- Public tip-offs (举报): a report from someone without an account. The tip-off is an event-type submission of
-- origin 'public' (it enters the analysts' triage queue beside registered reports); this row keeps what only a
-- tip-off has: the hash of its receipt code (the code itself is shown once, to the tipster), what was reported
-- (an incident or a vulnerability in a deployed system) and the contact the tipster chose to leave.
CREATE TABLE tipoffs (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receipt_hash  text        NOT NULL,              -- sha-256 (hex) of the receipt code
  submission_id bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  kind          text        NOT NULL CONSTRAINT tipoffs_kind_check CHECK (kind IN ('incident', 'vulnerability')),
  contact       text,                              -- optional e-mail or phone; staff only
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tipoffs_receipt_idx ON tipoffs (receipt_hash);
CREATE UNIQUE INDEX tipoffs_submission_idx ON tipoffs (submission_id);
