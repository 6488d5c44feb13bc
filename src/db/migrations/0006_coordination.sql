-- Disposal (处置/通报): who was told about which submission, their answers, deadlines, and the outbox that
-- delivers the messages (written in the same transaction as the state change that causes them).
CREATE TABLE notifications (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id   bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  organisation_id bigint      NOT NULL REFERENCES organisations (id),
  category        text        NOT NULL,   -- vendor | affected_org | critical_sector | telecom_operator | regional_branch | education_cert | authority
  state           text        NOT NULL,   -- sent | delivered | acknowledged | fixed | disputed | no_response
  deadline        timestamptz NOT NULL,
  link_hash       text        NOT NULL UNIQUE,   -- sha-256 of the signed link's token
  link_expires_at timestamptz NOT NULL,
  fix_url         text,
  answer          text,                   -- the recipient's note or dispute reason
  reminded_at     timestamptz,
  escalated_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (submission_id, organisation_id)
);
CREATE INDEX notifications_state_idx ON notifications (state, deadline);
CREATE INDEX notifications_created_idx ON notifications (created_at);

CREATE TABLE notification_events (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  notification_id bigint      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  at              timestamptz NOT NULL DEFAULT now(),
  actor           text        NOT NULL,
  from_state      text,
  to_state        text        NOT NULL,
  note            text
);
CREATE INDEX notification_events_idx ON notification_events (notification_id, id);

CREATE TABLE outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id     text        NOT NULL UNIQUE,   -- stable id sent with the message (Message-ID / X-Vulnshare-Delivery) so a receiver can drop a repeat
  notification_id bigint      REFERENCES notifications (id) ON DELETE CASCADE,
  channel         text        NOT NULL,          -- email | webhook | inbox
  target          text        NOT NULL,          -- address, URL, or organisation id
  secret          text,                          -- webhook HMAC key
  subject         text        NOT NULL,
  body            jsonb       NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  leased_until    timestamptz,
  sent_at         timestamptz,
  failed_at       timestamptz,                   -- gave up after the last attempt
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TABLE inbox_messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id     text        NOT NULL UNIQUE,
  organisation_id bigint      NOT NULL REFERENCES organisations (id),
  notification_id bigint      REFERENCES notifications (id) ON DELETE CASCADE,
  subject         text        NOT NULL,
  body            jsonb       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  read_at         timestamptz
);
CREATE INDEX inbox_org_idx ON inbox_messages (organisation_id, id DESC);
