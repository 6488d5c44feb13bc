-- vulnshare 0032: ID delegation between instances (src/peers/delegation.ts, docs/FEDERATION.md "ID delegation").
-- The national instance delegates a block of numbers of its id series (prefix, year) to a sector instance: it
-- advances its own id_counters row past the block in the same transaction (its own numbers skip the block), so
-- every number is used once across the federation. The sector assigns the block's numbers in order to the
-- submissions it verifies; when a block runs low it asks for the next one.

-- The national side: every block delegated, and to whom. (prefix, year, first) is unique; blocks never overlap
-- because each one is carved out of id_counters under its row lock.
CREATE TABLE id_blocks_delegated (
  id           bigserial PRIMARY KEY,
  peer_name    text    NOT NULL,                 -- kept when the peer is removed: the numbers stay used
  prefix       text    NOT NULL,
  year         integer NOT NULL,
  first        integer NOT NULL,
  last         integer NOT NULL,
  digits       integer NOT NULL,
  request_key  text,                             -- the ids.request it grants (null: an admin's delegate-ids)
  message_id   text    NOT NULL,                 -- the ids.delegate message (peer_outbox)
  delegated_by text    NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT id_blocks_delegated_range CHECK (first >= 1 AND last >= first),
  UNIQUE (prefix, year, first)
);
CREATE INDEX id_blocks_delegated_peer_idx ON id_blocks_delegated (peer_name, created_at);

-- The national side: how a peer's requests for more numbers are answered. auto: at once, block_size numbers
-- (null: as many as the block that ran low); manual: kept pending until an admin delegates. No row: manual.
CREATE TABLE peer_id_policies (
  peer_name  text PRIMARY KEY REFERENCES peers (name) ON DELETE CASCADE,
  grant_mode text NOT NULL DEFAULT 'manual' CONSTRAINT peer_id_policies_grant_check
               CHECK (grant_mode IN ('auto', 'manual')),
  block_size integer CONSTRAINT peer_id_policies_size_check CHECK (block_size BETWEEN 1 AND 100000),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The national side: the requests received; (peer, request key) is unique, so a repeated request grants once.
CREATE TABLE id_block_requests (
  peer_name    text    NOT NULL,
  request_key  text    NOT NULL,
  prefix       text    NOT NULL,
  year         integer NOT NULL,
  count        integer NOT NULL CHECK (count >= 1),
  state        text    NOT NULL DEFAULT 'pending' CONSTRAINT id_block_requests_state_check
                 CHECK (state IN ('pending', 'granted')),
  block_id     bigint REFERENCES id_blocks_delegated (id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (peer_name, request_key)
);

-- The sector side: the blocks it holds; next is its lowest unused number (next > last: used up). An id is
-- taken from the open block with the lowest first number of the year, under the rows' locks (FOR UPDATE), in
-- the verifying transaction. requested_at: when the block ran low and ids.request was queued (once per block).
CREATE TABLE id_blocks_held (
  from_peer    text    NOT NULL,
  prefix       text    NOT NULL,
  year         integer NOT NULL,
  first        integer NOT NULL,
  last         integer NOT NULL,
  digits       integer NOT NULL,
  next         integer NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  requested_at timestamptz,
  CONSTRAINT id_blocks_held_range CHECK (first >= 1 AND last >= first AND next >= first AND next <= last + 1),
  PRIMARY KEY (prefix, year, first)
);
CREATE INDEX id_blocks_held_open_idx ON id_blocks_held (year, first) WHERE next <= last;
