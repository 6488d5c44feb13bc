-- Alliance members as a sharing audience (issue 17).

-- The TLP of an advisory's last published revision: who may read what was published (the working copy's `tlp`
-- may already say something else, waiting for the next revision). NULL for a draft.
ALTER TABLE advisories ADD COLUMN published_tlp text;
UPDATE advisories a SET published_tlp = r.content ->> 'tlp'
FROM (
  SELECT DISTINCT ON (advisory_id) advisory_id, content FROM advisory_revisions ORDER BY advisory_id, number DESC
) r
WHERE r.advisory_id = a.id;
CREATE INDEX advisories_published_tlp_idx ON advisories (published_tlp, id DESC) WHERE status = 'published';

-- Early warnings: a member organisation's watchlist matched a report still under embargo. One per
-- (organisation, record), as watch_alerts are one per (organisation, vulnerability, reason); the record has no
-- vulnerabilities row yet, so it is named by the report and its platform id. At publication the organisation
-- that was warned gets no second alert for the record.
CREATE TABLE watch_early_warnings (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id bigint      NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  watchlist_id    bigint,                        -- watchlists (id): the watchlist that matched
  watch_item_id   bigint,                        -- watch_items (id): the item that matched
  submission_id   bigint      NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
  vuln_public_id  text        NOT NULL,          -- the record's platform id (VS-2026-00001)
  embargo_until   timestamptz NOT NULL,          -- stated in the message: not to be published before
  match_reason    text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, vuln_public_id)
);
CREATE INDEX watch_early_warnings_record_idx ON watch_early_warnings (vuln_public_id);

-- The expiry sweep looks for memberships whose renewal date has passed.
CREATE INDEX alliance_memberships_renewal_idx ON alliance_memberships (renewal_on) WHERE status <> 'expired';
