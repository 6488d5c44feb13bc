-- Sign-in throttling per account × client address and per client address (accounts/throttle.ts), replacing
-- the per-e-mail lock that let anyone lock anyone out; what the owner is told about failed sign-ins.
CREATE TABLE sign_in_throttle (
  key      text        PRIMARY KEY,          -- client:<ip> | account:<email>|client:<ip>
  attempts integer     NOT NULL,             -- attempts in a row (charged before the password is checked)
  last_at  timestamptz NOT NULL,
  next_at  timestamptz NOT NULL              -- no attempt before this
);
CREATE INDEX sign_in_throttle_last_idx ON sign_in_throttle (last_at);

DROP TABLE login_failures;

ALTER TABLE users
  ADD COLUMN failed_sign_ins              integer NOT NULL DEFAULT 0,  -- wrong passwords since the last sign-in
  ADD COLUMN failed_sign_ins_before_login integer NOT NULL DEFAULT 0,  -- the count when the last sign-in began
  ADD COLUMN sign_in_warning_sent_at      timestamptz;                 -- last e-mail about failed sign-ins
