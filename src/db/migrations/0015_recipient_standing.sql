-- Who may receive embargoed material (issue 11, items 3, 4 and 10).

-- An organisation's standing: verified by an analyst or an admin (or the operator's CLI, verified_by NULL).
-- Only verified organisations of a receiving kind (vendor, member unit, regional branch, authority) are
-- notified, read their inbox and act on notifications. Organisations an analyst creates are verified at
-- creation; reporting units and individuals that registered themselves are not.
ALTER TABLE organisations ADD COLUMN verified_at timestamptz;
ALTER TABLE organisations ADD COLUMN verified_by bigint REFERENCES users (id) ON DELETE SET NULL;

-- Existing rows: an organisation created through the organisation service has an audit row naming who made
-- it (an analyst, an admin or the CLI) -> verified by them. Receiving kinds were only ever made that way
-- (registration makes reporting units and individuals only), so they are verified even without the row.
UPDATE organisations o SET verified_at = o.created_at, verified_by = a.actor_id
  FROM (SELECT DISTINCT ON (target_id) target_id, actor_id FROM audit_log
        WHERE action = 'organisation.created' AND target_kind = 'organisation'
        ORDER BY target_id, id) a
  WHERE a.target_id = o.id::text;
UPDATE organisations SET verified_at = created_at
  WHERE verified_at IS NULL AND kind NOT IN ('reporting_unit', 'individual');

-- Names: one per kind; and a name a verified organisation holds is not held by another verified one. A
-- self-registered unit no longer blocks the analyst's vendor of the same name (and never stands for it).
DROP INDEX organisations_name_idx;
CREATE UNIQUE INDEX organisations_kind_name_idx ON organisations (kind, lower(name));
CREATE UNIQUE INDEX organisations_verified_name_idx ON organisations (lower(name)) WHERE verified_at IS NOT NULL;

-- Which side acted in a notification's history: outsiders see "coordinator" for the coordinator's side,
-- never an analyst's e-mail. Unknown is the coordinator's side, so nothing new leaks by default.
ALTER TABLE notification_events ADD COLUMN actor_side text NOT NULL DEFAULT 'coordinator';
UPDATE notification_events SET actor_side = 'recipient'
  WHERE actor LIKE '% (link)' OR actor IN (SELECT email FROM users WHERE role = 'recipient');

-- API-token scopes now bound one's own cases (submissions:read_own, submissions:update_own, messages:read,
-- messages:write, inbox:read, disposal:respond). A token that carried every action of its owner's role (the
-- default when a token is made) gets the new actions of that role; narrower tokens stay as narrow as they were.
UPDATE api_tokens t SET scopes = t.scopes || ARRAY['submissions:read_own', 'submissions:update_own', 'messages:read', 'messages:write']
  FROM users u
  WHERE u.id = t.user_id AND u.role = 'reporter' AND t.scopes @> ARRAY['tokens:own', 'submissions:create'];
UPDATE api_tokens t SET scopes = t.scopes || ARRAY['messages:read', 'messages:write', 'inbox:read', 'disposal:respond']
  FROM users u
  WHERE u.id = t.user_id AND u.role = 'recipient' AND t.scopes @> ARRAY['tokens:own', 'watchlists:own'];
UPDATE api_tokens t SET scopes = t.scopes || ARRAY['submissions:read_own', 'submissions:update_own', 'messages:read', 'messages:write']
  FROM users u
  WHERE u.id = t.user_id AND u.role IN ('analyst', 'admin') AND t.scopes @> ARRAY['organisations:manage',
    'organisations:read', 'bulletins:draft', 'bulletins:edit', 'bulletins:publish', 'tokens:own',
    'submissions:create', 'submissions:triage', 'submissions:read_all', 'disposal:notify', 'submissions:publish',
    'disposal:read', 'feeds:read', 'incidents:write', 'incidents:read_all', 'watchlists:own',
    'watchlists:manage_all'];
