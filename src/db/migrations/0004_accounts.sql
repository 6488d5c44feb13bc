-- Organisations, people, sessions, API tokens, login throttling and the audit log.
CREATE TABLE organisations (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind           text        NOT NULL,          -- coordinator | reporting_unit | individual | vendor | member_unit | regional_branch | authority
  name           text        NOT NULL,
  name_en        text,
  sector         text,                          -- member units: banking, insurance, energy, telecom, education, government…
  region         text,                          -- regional branches
  alliance_cert  text,                          -- alliance membership certificate, e.g. CCTGA-000093
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_idx ON organisations (lower(name));

CREATE TABLE contacts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id bigint      NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  name            text        NOT NULL,
  email           text,
  webhook_url     text,
  webhook_secret  text,
  portal          boolean     NOT NULL DEFAULT true,   -- notify through the in-portal inbox
  mechanism       text        NOT NULL DEFAULT 'established', -- established (agreed contact) | public (public channel)
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_org_idx ON contacts (organisation_id);

CREATE TABLE users (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email           text        NOT NULL,
  display_name    text        NOT NULL,
  password_hash   text        NOT NULL,            -- argon2id, PHC string
  role            text        NOT NULL,            -- admin | analyst | reporter | recipient
  organisation_id bigint      REFERENCES organisations (id),
  disabled        boolean     NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_login_at   timestamptz
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

CREATE TABLE sessions (
  id_hash     text        PRIMARY KEY,             -- sha-256 of the cookie value; the value itself is never stored
  user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_tokens (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name        text        NOT NULL,
  token_hash  text        NOT NULL UNIQUE,         -- sha-256 of the token
  prefix      text        NOT NULL,                -- first characters, to recognise a token in lists
  scopes      text[]      NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

CREATE TABLE login_failures (
  key          text        PRIMARY KEY,            -- email:<address> | ip:<address>
  failures     integer     NOT NULL,
  first_at     timestamptz NOT NULL,
  locked_until timestamptz
);

CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    bigint      REFERENCES users (id) ON DELETE SET NULL,
  actor       text        NOT NULL,                -- the actor as shown: email, 'cli', 'system', 'anonymous'
  action      text        NOT NULL,                -- login.succeeded, login.failed, token.created, bulletin.published…
  target_kind text,
  target_id   text,
  detail      jsonb       NOT NULL DEFAULT '{}',
  ip          text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
