-- The workflows' states as CHECK constraints, listing exactly the states of their transition tables:
-- submissions (src/submissions/workflow.ts STATES), notifications (src/coordination/rules.ts NOTIFICATION_STATES),
-- incidents (src/incidents/tables.ts STATUSES). A test compares these lists with the tables.
ALTER TABLE submissions ADD CONSTRAINT submissions_state_check CHECK (state IN
  ('submitted', 'triaged', 'need_info', 'duplicate', 'rejected', 'verifying', 'verified', 'notified', 'fixed', 'published'));
ALTER TABLE submission_transitions ADD CONSTRAINT submission_transitions_state_check CHECK (
  to_state IN ('submitted', 'triaged', 'need_info', 'duplicate', 'rejected', 'verifying', 'verified', 'notified', 'fixed', 'published')
  AND (from_state IS NULL OR from_state IN
    ('submitted', 'triaged', 'need_info', 'duplicate', 'rejected', 'verifying', 'verified', 'notified', 'fixed', 'published')));

ALTER TABLE notifications ADD CONSTRAINT notifications_state_check CHECK (state IN
  ('sent', 'undeliverable', 'delivered', 'acknowledged', 'fixed', 'disputed', 'no_response'));
ALTER TABLE notification_events ADD CONSTRAINT notification_events_state_check CHECK (
  to_state IN ('sent', 'undeliverable', 'delivered', 'acknowledged', 'fixed', 'disputed', 'no_response')
  AND (from_state IS NULL OR from_state IN
    ('sent', 'undeliverable', 'delivered', 'acknowledged', 'fixed', 'disputed', 'no_response')));

ALTER TABLE incidents ADD CONSTRAINT incidents_status_check CHECK (status IN ('open', 'analysing', 'contained', 'closed'));
ALTER TABLE incident_events ADD CONSTRAINT incident_events_status_check CHECK (
  (from_status IS NULL OR from_status IN ('open', 'analysing', 'contained', 'closed'))
  AND (to_status IS NULL OR to_status IN ('open', 'analysing', 'contained', 'closed')));
