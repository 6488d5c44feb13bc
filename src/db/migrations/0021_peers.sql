-- vulnshare 0021: federation (src/peers/). The instance's own Ed25519 identity keys, its peers with their
-- public keys, sync status and cursor, one policy row per peer, and the nonces of signed messages seen lately.

-- The instance's signing keys: one active, older ones retired with the date (messages signed just before a
-- rotation still verify at the peer for its grace period). The private key is never served.
CREATE TABLE peer_identity_keys (
  key_id      text PRIMARY KEY,                  -- sha-256 of the SPKI public key, base64url, first 22 chars
  private_key text NOT NULL,                     -- PKCS#8 PEM
  public_key  text NOT NULL,                     -- SPKI PEM
  state       text NOT NULL CHECK (state IN ('active', 'retired')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  retired_at  timestamptz
);
CREATE UNIQUE INDEX peer_identity_keys_one_active ON peer_identity_keys (state) WHERE state = 'active';

-- Other instances we exchange with. public_keys: [{ keyId, publicKey (SPKI PEM), state: active|retired|revoked,
-- retiredAt }]. cursor: the last change sequence of the peer's feed we applied (a string: the peer's own).
CREATE TABLE peers (
  name            text PRIMARY KEY,
  url             text NOT NULL,
  public_keys     jsonb NOT NULL,
  state           text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'suspended')),
  cursor          text NOT NULL DEFAULT '0',
  lease_until     timestamptz,
  last_attempt_at timestamptz,
  last_success_at timestamptz,
  last_error      text,
  last_error_at   timestamptz,
  lag             bigint,                        -- changes the peer had beyond our cursor at the last sync
  received        bigint NOT NULL DEFAULT 0,     -- records applied from this peer, all time
  refused         bigint NOT NULL DEFAULT 0,     -- records our accept policy refused (not stored), all time
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- What a peer may receive from us and what we accept from it (src/peers/policy.ts documents the fields).
CREATE TABLE peer_policies (
  peer_name  text PRIMARY KEY REFERENCES peers (name) ON DELETE CASCADE,
  receive    jsonb NOT NULL,
  accept     jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Nonces of verified messages, per sender, kept for the replay window (pruned as new ones arrive).
CREATE TABLE peer_nonces (
  sender  text NOT NULL,
  nonce   text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sender, nonce)
);
CREATE INDEX peer_nonces_seen_idx ON peer_nonces (seen_at);
