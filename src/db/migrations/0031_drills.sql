-- Exercises (应急演练), as APCERT runs them: a scenario, the participating organisations (accounts'
-- organisations), a schedule of injects delivered through the outbox at their times, and the participants'
-- responses. Exercise traffic lives only here (and in the outbox that carries it): it is never a submission,
-- a notification, a bulletin item, a feed or a federation record.
CREATE TABLE drills (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title       text        NOT NULL,
  scenario_zh text        NOT NULL,
  scenario_en text        NOT NULL,
  state       text        NOT NULL DEFAULT 'draft'
              CONSTRAINT drills_state_check CHECK (state IN ('draft', 'running', 'ended')),
  created_by  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  ended_at    timestamptz
);
CREATE INDEX drills_state_idx ON drills (state, id);

CREATE TABLE drill_participants (
  drill_id        bigint NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
  organisation_id bigint NOT NULL REFERENCES organisations (id),
  PRIMARY KEY (drill_id, organisation_id)
);
CREATE INDEX drill_participants_org_idx ON drill_participants (organisation_id);

-- One message of the schedule: when, through which channels, what it says and carries, what it expects
-- (expected: [{ key, description, withinMinutes }]); sent_at is set in the transaction that queues it.
CREATE TABLE drill_injects (
  id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  drill_id  bigint      NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
  seq       integer     NOT NULL,
  due_at    timestamptz NOT NULL,
  channels  jsonb       NOT NULL,   -- ["email", "webhook", "inbox"]
  subject   text        NOT NULL,
  body      text        NOT NULL,
  artefacts text        NOT NULL DEFAULT '',
  expected  jsonb       NOT NULL DEFAULT '[]',
  sent_at   timestamptz,
  UNIQUE (drill_id, seq)
);
CREATE INDEX drill_injects_due_idx ON drill_injects (due_at) WHERE sent_at IS NULL;

-- What reached whom, and when (the inject's delivery to one participant: its outbox messages).
CREATE TABLE drill_deliveries (
  inject_id       bigint      NOT NULL REFERENCES drill_injects (id) ON DELETE CASCADE,
  organisation_id bigint      NOT NULL REFERENCES organisations (id),
  delivered_at    timestamptz NOT NULL,
  messages        integer     NOT NULL,
  PRIMARY KEY (inject_id, organisation_id)
);

CREATE TABLE drill_responses (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  drill_id        bigint      NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
  inject_id       bigint      NOT NULL REFERENCES drill_injects (id) ON DELETE CASCADE,
  organisation_id bigint      NOT NULL REFERENCES organisations (id),
  actor           text        NOT NULL,
  kind            text        NOT NULL
                  CONSTRAINT drill_responses_kind_check CHECK (kind IN ('acknowledge', 'finding', 'action', 'question')),
  text            text        NOT NULL,
  fulfils         text,       -- the key of the expected action this response fulfils
  at              timestamptz NOT NULL
);
CREATE INDEX drill_responses_drill_idx ON drill_responses (drill_id, at);
