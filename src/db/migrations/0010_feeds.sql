-- Feeds: remote catalogues (CISA KEV, CVE JSON 5 snapshots, CNVD share XML) synced on a schedule or on demand.
-- The status columns advance only after an import has completed, in one transaction with the run's history
-- row; a worker that dies mid-run leaves them as they were, so the next run downloads the body again.
CREATE TABLE feeds (
  name                 text        PRIMARY KEY,
  format               text        NOT NULL,            -- kev | cve5 | cnvd-xml
  url                  text        NOT NULL,
  schedule_ms          bigint,                          -- interval between runs; NULL = on demand only
  created_at           timestamptz NOT NULL DEFAULT now(),
  last_attempt_at      timestamptz,
  last_success_at      timestamptz,
  last_outcome         text,                            -- imported | not_modified | failed
  last_http_status     integer,
  last_error           text,
  last_error_at        timestamptz,
  etag                 text,
  last_modified        text,                            -- the server's Last-Modified, verbatim
  last_read            integer     NOT NULL DEFAULT 0,  -- records of the last run
  last_imported        integer     NOT NULL DEFAULT 0,
  last_updated         integer     NOT NULL DEFAULT 0,
  last_unchanged       integer     NOT NULL DEFAULT 0,
  last_rejected        integer     NOT NULL DEFAULT 0,
  consecutive_failures integer     NOT NULL DEFAULT 0,
  next_run_at          timestamptz,
  leased_until         timestamptz,                     -- a worker is syncing it until then
  lease_token          text
);
CREATE INDEX feeds_due_idx ON feeds (next_run_at) WHERE schedule_ms IS NOT NULL;

CREATE TABLE feed_runs (
  id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  feed_name     text        NOT NULL REFERENCES feeds (name) ON DELETE CASCADE,
  url           text        NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz NOT NULL,
  outcome       text        NOT NULL,                   -- imported | not_modified | failed
  http_status   integer,
  attempts      integer     NOT NULL DEFAULT 0,         -- HTTP requests made
  bytes         bigint      NOT NULL DEFAULT 0,
  read          integer     NOT NULL DEFAULT 0,
  imported      integer     NOT NULL DEFAULT 0,
  updated       integer     NOT NULL DEFAULT 0,
  unchanged     integer     NOT NULL DEFAULT 0,
  rejected      integer     NOT NULL DEFAULT 0,
  import_run_id bigint      REFERENCES import_runs (id) ON DELETE SET NULL,
  error         text
);
CREATE INDEX feed_runs_feed_idx ON feed_runs (feed_name, id DESC);
