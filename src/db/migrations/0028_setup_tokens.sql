-- First run (src/setup/): one-time setup links printed by `vulnshare serve` while no admin exists. Only the
-- SHA-256 of a link's token is kept; a link is dead once used, and every link is dead once an admin exists.
CREATE TABLE setup_tokens (
  token_hash  text        PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  used_at     timestamptz
);
