-- Watchlists: the products (vendor, product, version range or CPE 2.3 name) and keywords an organisation runs,
-- and the alerts raised when a matching vulnerability is imported, published or marked exploited. Alert
-- messages are outbox rows (0006) written in the same transaction as the alert.
CREATE TABLE watchlists (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id bigint      NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name            text        NOT NULL,
  delivery        text        NOT NULL DEFAULT 'immediate',   -- immediate | daily | weekly
  created_by      text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watchlists_org_idx ON watchlists (organisation_id, id);

CREATE TABLE watch_items (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  watchlist_id    bigint      NOT NULL REFERENCES watchlists (id) ON DELETE CASCADE,
  kind            text        NOT NULL,          -- product | cpe | keyword
  vendor          text,
  product         text,
  range           text,                          -- version or range as written (parsed by watchlists/range.ts)
  cpe             text,                          -- CPE 2.3 formatted string
  keyword         text,
  vendor_key      text,                          -- vendor (or CPE vendor) compacted: lower case, letters and digits
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watch_items_list_idx ON watch_items (watchlist_id);
CREATE INDEX watch_items_vendor_idx ON watch_items (vendor_key);

-- Bumped by every change to watchlists or their items: an import run reloads its in-memory index when it moves.
CREATE TABLE watch_index_version (
  id      integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  version bigint  NOT NULL DEFAULT 0
);
INSERT INTO watch_index_version (id, version) VALUES (1, 0);

-- No foreign keys here: an import inserts several alerts per record in its batch transactions, and the
-- per-row checks cost more than they protect. Organisations are never deleted; a vulnerability is deleted only
-- when another absorbs it, and the pipeline moves (or drops, when repeated) its alerts first
-- (watchlists/store.ts moveAlerts); an alert outlives a deleted watchlist or item (their ids stay as they were).
CREATE TABLE watch_alerts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id bigint      NOT NULL,          -- organisations (id)
  watchlist_id    bigint,                        -- watchlists (id): the watchlist that matched
  watch_item_id   bigint,                        -- watch_items (id): the item that matched
  vuln_id         bigint      NOT NULL,          -- vulnerabilities (id)
  reason          text        NOT NULL,          -- new | published | exploited
  delivery        text        NOT NULL,          -- the watchlist's delivery when the alert was raised
  match_reason    text        NOT NULL,          -- why it matched (matchesWatch's reason, the keyword found)
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,                   -- its message (or the summary / digest listing it) was queued
  digest_sent_at  timestamptz,                   -- daily / weekly: the digest listing it was queued
  UNIQUE (vuln_id, organisation_id, reason)    -- one alert per (organisation, vulnerability, reason); also by vuln
);
-- few indexes: an import may insert several alerts per record
CREATE INDEX watch_alerts_org_idx ON watch_alerts (organisation_id, id DESC);
CREATE INDEX watch_alerts_pending_idx ON watch_alerts (delivery, created_at) WHERE delivered_at IS NULL;
