-- vulnshare 0023: federation messaging (src/peers/messages.ts) and embargoed advance notices (notices.ts).
-- peer_outbox: signed messages to peers, written in the transaction of the change that causes them and
-- delivered at least once, in enqueue order per peer. peer_inbox: (sender, message id) of every message
-- applied, written in the transaction that applies it, so a repeat is acknowledged and not applied again.

CREATE TABLE peer_outbox (
  id              uuid PRIMARY KEY,
  seq             bigint GENERATED ALWAYS AS IDENTITY,   -- enqueue order: a peer receives its messages in it
  peer_name       text NOT NULL REFERENCES peers (name) ON DELETE CASCADE,
  kind            text NOT NULL,                         -- the envelope kind (notice.share, case.handover …)
  body            jsonb NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  last_error      text,
  last_error_code text,                                  -- a failed row: the code the peer refused it with
  result          jsonb,                                 -- a sent row: what the peer's handler answered
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE UNIQUE INDEX peer_outbox_seq_idx ON peer_outbox (seq);
CREATE INDEX peer_outbox_pending_idx ON peer_outbox (peer_name, seq) WHERE state = 'pending';

CREATE TABLE peer_inbox (
  sender      text NOT NULL,
  message_id  uuid NOT NULL,
  kind        text NOT NULL,
  issued_at   timestamptz NOT NULL,                      -- the sender's clock, from the envelope
  received_at timestamptz NOT NULL DEFAULT now(),
  result      jsonb,                                     -- the handler's answer, sent again to a repeat
  PRIMARY KEY (sender, message_id)
);

-- Sender side of advance notices: which peer an embargoed submission was shared with, and the version sent last.
CREATE TABLE peer_notice_shares (
  tracking_no text NOT NULL,
  peer_name   text NOT NULL REFERENCES peers (name) ON DELETE CASCADE,
  state       text NOT NULL DEFAULT 'shared' CHECK (state IN ('shared', 'released', 'withdrawn')),
  version     bigint NOT NULL,                           -- of the last notice.* message sent
  shared_by   text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tracking_no, peer_name)
);

-- Receiver side: advance notices a peer shared with us, under its embargo (by its clock). Visible to analysts
-- and admins only, never in search, detail, feeds or exports; released = written through the import path.
CREATE TABLE peer_notices (
  sender        text NOT NULL,
  reference     text NOT NULL,                           -- the sender's reference (its tracking number)
  version       bigint NOT NULL,                         -- the newest version applied; older ones are ignored
  state         text NOT NULL CHECK (state IN ('embargoed', 'released', 'withdrawn')),
  record        jsonb,                                   -- the Vulnerability as the change feed carries it (null once withdrawn)
  record_id     text,
  tlp           text NOT NULL,
  embargo_until timestamptz,                             -- the sender's embargo end, by the sender's clock
  received_at   timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  released_at   timestamptz,
  PRIMARY KEY (sender, reference)
);
CREATE INDEX peer_notices_state_idx ON peer_notices (state, updated_at DESC);
