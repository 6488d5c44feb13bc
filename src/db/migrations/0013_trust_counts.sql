-- Counting what is real (issue 11, items 12, 17, 18).
-- Where a submission came from: a reporter's report, or a case the coordinator opened itself from an incident
-- (src/incidents/case.ts). Only reports count for reporters (the bulletin's Table 1 and the public ranking).
ALTER TABLE submissions ADD COLUMN origin text NOT NULL DEFAULT 'report';
UPDATE submissions SET origin = 'incident'
  WHERE id IN (SELECT case_submission_id FROM incidents WHERE case_submission_id IS NOT NULL);

-- Table 1 counts a report in the week it was verified: find those transitions by state and time.
CREATE INDEX submission_transitions_state_at_idx ON submission_transitions (to_state, at);

-- The STIX id an incident is known by (the bundle's incident object id on import; vulnshare's own
-- deterministic id for incidents created here): importing the same bundle again finds the incident instead of
-- creating a second one, and two concurrent imports cannot both insert. NULL for incidents created before.
ALTER TABLE incidents ADD COLUMN stix_id text;
CREATE UNIQUE INDEX incidents_stix_id_idx ON incidents (stix_id) WHERE stix_id IS NOT NULL;

-- The disposal board pages by deadline and id per organisation.
CREATE INDEX notifications_org_deadline_idx ON notifications (organisation_id, deadline, id);
CREATE INDEX notifications_deadline_idx ON notifications (deadline, id);
