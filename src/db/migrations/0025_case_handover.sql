-- vulnshare 0025: case hand-over between instances (src/peers/handover.ts, docs/FEDERATION.md "Case hand-over").
-- A sector instance hands a submission to a peer (the national instance) for coordination; the peer coordinates
-- it as a submission of its own (origin 'peer') and sends the case's whole board back whenever it changes.

-- Where a submission came from: a reporter's report, the coordinator's own case (an incident), a public tip-off,
-- or a case another instance handed over.
ALTER TABLE submissions ADD CONSTRAINT submissions_origin_check
  CHECK (origin IN ('report', 'incident', 'public', 'peer'));

-- What a peer may have of a case we hand over, beyond the report and its attachments: which case messages
-- (none | reporter: the coordinator <-> reporter thread | all: every thread and internal notes) and whether the
-- reporter's e-mail goes with the credit. No row: none, and no e-mail.
CREATE TABLE peer_case_policies (
  peer_name        text PRIMARY KEY REFERENCES peers (name) ON DELETE CASCADE,
  messages         text NOT NULL DEFAULT 'none' CONSTRAINT peer_case_policies_messages_check
                     CHECK (messages IN ('none', 'reporter', 'all')),
  reporter_contact boolean NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The sender's side: a submission handed over (one peer per submission), the sends (version: a re-send counts
-- up), and the board the peer sent back, newest version kept (an older or repeated case.update changes nothing).
CREATE TABLE case_handovers (
  submission_id      bigint PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
  peer_name          text NOT NULL,
  version            bigint NOT NULL,
  handed_over_by     text NOT NULL,
  handed_over_at     timestamptz NOT NULL,
  last_sent_at       timestamptz NOT NULL,
  message_id         text NOT NULL,              -- the messaging id of the last send (peer_outbox)
  remote_tracking_no text,
  remote_version     bigint NOT NULL DEFAULT 0,
  remote_state       text,
  remote_case        jsonb,                      -- the last case.update body applied
  remote_updated_at  timestamptz
);
CREATE INDEX case_handovers_peer_idx ON case_handovers (peer_name);

-- The receiver's side: a case a peer handed to us, as one of our submissions; (peer, the sender's tracking
-- number) is unique, so a repeat or a re-send updates it. change_version counts every change of the case or of
-- its notifications (the triggers below, in the changing transaction); sent_version is the change last sent
-- back as case.update, so a case with change_version > sent_version has news for its sender.
CREATE TABLE received_cases (
  submission_id    bigint PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE,
  peer_name        text NOT NULL,
  reference        text NOT NULL,
  handover_version bigint NOT NULL,
  report           jsonb NOT NULL,               -- the report as the peer sent it (credit, its own fields)
  received_at      timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  change_version   bigint NOT NULL DEFAULT 1,
  sent_version     bigint NOT NULL DEFAULT 0,
  UNIQUE (peer_name, reference)
);
CREATE INDEX received_cases_news_idx ON received_cases (submission_id) WHERE change_version > sent_version;

-- The sender's case messages already applied to a received case (a re-send adds only new ones).
CREATE TABLE received_case_messages (
  submission_id bigint NOT NULL REFERENCES received_cases (submission_id) ON DELETE CASCADE,
  remote_id     bigint NOT NULL,
  message_id    bigint NOT NULL REFERENCES case_messages (id) ON DELETE CASCADE,
  PRIMARY KEY (submission_id, remote_id)
);

CREATE FUNCTION received_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'submissions' THEN
    UPDATE received_cases SET change_version = change_version + 1 WHERE submission_id = NEW.id;
  ELSE
    UPDATE received_cases SET change_version = change_version + 1 WHERE submission_id = NEW.submission_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER submissions_received_case_changed AFTER UPDATE OF state, state_reason, vuln_public_id, published_at
  ON submissions FOR EACH ROW
  WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.state_reason IS DISTINCT FROM NEW.state_reason
        OR OLD.vuln_public_id IS DISTINCT FROM NEW.vuln_public_id OR OLD.published_at IS DISTINCT FROM NEW.published_at)
  EXECUTE FUNCTION received_case_changed();
CREATE TRIGGER notifications_received_case_changed AFTER INSERT OR UPDATE OF state, deadline, fix_url
  ON notifications FOR EACH ROW EXECUTE FUNCTION received_case_changed();
