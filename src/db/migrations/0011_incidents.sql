-- Incidents (安全事件): the validated record as a document, with the columns lists, filters, TLP visibility and
-- figures need; its history; a gap-free INC-YYYY-NNNN counter per year; the disposal case it became.
CREATE TABLE incidents (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  public_id          text        NOT NULL UNIQUE,     -- INC-2026-0001
  doc                jsonb       NOT NULL,            -- the validated IncidentInput (src/incidents/model.ts)
  title              text        NOT NULL,
  status             text        NOT NULL,            -- open | analysing | contained | closed
  tlp                text        NOT NULL,            -- clear | green | amber | amber+strict | red
  vector             text        NOT NULL,
  sectors            text[]      NOT NULL DEFAULT '{}',
  victim_org_ids     bigint[]    NOT NULL DEFAULT '{}',  -- TLP:AMBER(+STRICT) audience
  shared_org_ids     bigint[]    NOT NULL DEFAULT '{}',  -- TLP:AMBER audience besides the victims
  discovered_at      date        NOT NULL,            -- calendar day in Asia/Shanghai
  search             text        NOT NULL,            -- lower-cased title, summary, victims, indicators, technique and vulnerability ids
  case_submission_id bigint      REFERENCES submissions (id),
  created_by         text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_discovered_idx ON incidents (discovered_at DESC, id DESC);
CREATE INDEX incidents_status_idx ON incidents (status);
CREATE INDEX incidents_sectors_idx ON incidents USING gin (sectors);

-- history: creation, edits (the fields changed), status changes, imports, notifications
CREATE TABLE incident_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint      NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    bigint      REFERENCES users (id),
  actor       text        NOT NULL,
  kind        text        NOT NULL,                  -- created | imported | edited | status | notified
  from_status text,
  to_status   text,
  fields      text[]      NOT NULL DEFAULT '{}',
  note        text
);
CREATE INDEX incident_events_idx ON incident_events (incident_id, id);
CREATE INDEX incident_events_status_idx ON incident_events (to_status, at) WHERE kind IN ('created', 'imported', 'status');

-- gap-free INC numbers per year: the row lock serialises allocation; a rolled-back transaction gives its number back
CREATE TABLE incident_counters (
  year integer PRIMARY KEY,
  last integer NOT NULL DEFAULT 0
);
