-- Threaded messages on a case (a submission) between the coordinator, the reporter and the recipients.
-- audience: internal (coordinator only) | reporter (coordinator + reporter) | recipients (coordinator + every
-- notified organisation) | organisation (coordinator + one organisation, organisation_id)
CREATE TABLE case_messages (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  submission_id   bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  author_id       bigint      REFERENCES users (id),
  author          text        NOT NULL,
  author_side     text        NOT NULL,            -- coordinator | reporter | recipient
  audience        text        NOT NULL,
  organisation_id bigint      REFERENCES organisations (id),
  reply_to        bigint      REFERENCES case_messages (id),
  body            text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_messages_idx ON case_messages (submission_id, id);
