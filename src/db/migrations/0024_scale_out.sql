-- State that several app processes share (src/ops/): request-rate counters in fixed windows, and named leases
-- for the background sweeps (embargo publication, digests, reminders) so that one process runs each at a time.
CREATE TABLE rate_limit_counters (
  key          text        PRIMARY KEY,       -- the rate limiter's key (route scope + client address)
  window_start timestamptz NOT NULL,          -- start of the current fixed window, on the database's clock
  hits         integer     NOT NULL
);
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);

CREATE TABLE process_leases (
  name        text        PRIMARY KEY,        -- 'sweep', …
  holder      text        NOT NULL,           -- the process holding it: host:pid:random
  acquired_at timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);
