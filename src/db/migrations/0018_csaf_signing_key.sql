-- vulnshare 0018: the OpenPGP key a CSAF provider signs its documents with (CSAF 2.0 section 7.1.19/20).
-- One row: created at first use when no key file is configured (VULNSHARE_CSAF_KEY_FILE). The private key is
-- never served; the public key is, at /.well-known/csaf/openpgp/<fingerprint>.asc.
CREATE TABLE csaf_signing_keys (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  fingerprint text NOT NULL,
  private_key text NOT NULL,
  public_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
