-- Answers to exercise injects by e-mail reply. Each inject e-mail to a participant's contact goes out with its
-- own reply address (Reply-To drill+<token>@<domain>; only the token's hash is kept) and Message-ID; a reply is
-- matched by the token of the address it was sent to, or by its In-Reply-To / References naming the inject's
-- Message-ID. The response lands in drill_responses like a portal answer, marked as having come by e-mail with
-- the reply's own Message-ID (a repeated delivery of the same reply records nothing more).
CREATE TABLE drill_reply_addresses (
  token_hash      text        PRIMARY KEY,       -- sha-256 (hex) of the token in drill+<token>@<domain>
  drill_id        bigint      NOT NULL REFERENCES drills (id) ON DELETE CASCADE,
  inject_id       bigint      NOT NULL REFERENCES drill_injects (id) ON DELETE CASCADE,
  organisation_id bigint      NOT NULL REFERENCES organisations (id),
  email           text        NOT NULL,          -- the contact address the inject went to
  message_id      text        NOT NULL,          -- the inject e-mail's Message-ID, without <>
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX drill_reply_addresses_message_idx ON drill_reply_addresses (message_id);

ALTER TABLE drill_responses
  ADD COLUMN via text NOT NULL DEFAULT 'portal'
    CONSTRAINT drill_responses_via_check CHECK (via IN ('portal', 'email')),
  ADD COLUMN mail_message_id text;
CREATE UNIQUE INDEX drill_responses_mail_idx ON drill_responses (mail_message_id) WHERE mail_message_id IS NOT NULL;
