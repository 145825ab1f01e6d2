-- Reports weigh what their reporter's standing is worth (issue 10): new, unverified and low-trust reporters, and
-- people reporting mesh nodes or federated servers, file reports that weigh 0 toward automatic action; those reports
-- still reach the review queue, at priority 3 unless their severity ranks them higher.
ALTER TABLE abuse_reports DROP CONSTRAINT abuse_reports_weight;
ALTER TABLE abuse_reports ADD CONSTRAINT abuse_reports_weight CHECK (weight >= 0 AND weight <= 1);

-- Priority 1: critical, or escalated (two or more reporters whose reports did not warrant an automatic suspension);
-- 2: high; 3: low or medium reports that weigh nothing.
ALTER TABLE abuse_reports DROP CONSTRAINT abuse_reports_priority;
ALTER TABLE abuse_reports ADD CONSTRAINT abuse_reports_priority CHECK (review_priority IN (1, 2, 3));

ALTER TABLE abuse_reports ADD COLUMN escalated boolean NOT NULL DEFAULT false;
ALTER TABLE abuse_reports ADD CONSTRAINT abuse_reports_escalated CHECK (NOT escalated OR review_priority = 1);

-- Reports per reporter in the last hour (the per-reporter limit).
CREATE INDEX abuse_reports_by_reporter_time ON abuse_reports (reporter_type, reporter_id, created_at);
