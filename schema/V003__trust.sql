-- Trust and moderation: per-entity score components, abuse reports with their review queue, the history of every
-- score change, the moderation log and the registry of federated homeservers.

-- One row per entity the trust domain has seen. The score and level are derived from the components (verifications,
-- behaviour, counted reports, suspension) by TrustScore and stored for reading; `version` grows with every change,
-- `synced_version` is the last version the identity domain has acknowledged (aura_id entities only).
CREATE TABLE trust_entities (
  entity_type          text             NOT NULL,
  entity_id            text             NOT NULL,
  behaviour            double precision NOT NULL DEFAULT 0,
  score                double precision NOT NULL DEFAULT 50,
  level                text             NOT NULL DEFAULT 'established',
  suspended_at         timestamptz,
  suspension_reason    text,
  suspended_by         text,
  suspension_automatic boolean          NOT NULL DEFAULT false,
  version              bigint           NOT NULL DEFAULT 0,
  synced_version       bigint           NOT NULL DEFAULT 0,
  created_at           timestamptz      NOT NULL DEFAULT now(),
  updated_at           timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id),
  CONSTRAINT trust_entities_type CHECK (entity_type IN ('aura_id', 'mesh_node', 'federated_server')),
  CONSTRAINT trust_entities_behaviour CHECK (behaviour BETWEEN -20 AND 20),
  CONSTRAINT trust_entities_score CHECK (score BETWEEN 0 AND 100),
  CONSTRAINT trust_entities_level CHECK (level IN ('verified', 'trusted', 'established', 'new', 'caution', 'suspended')),
  CONSTRAINT trust_entities_suspension CHECK ((suspended_at IS NULL) = (suspended_by IS NULL))
);

CREATE INDEX trust_entities_unsynced ON trust_entities (entity_type) WHERE synced_version < version;

CREATE TRIGGER trust_entities_touch BEFORE UPDATE ON trust_entities FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Verification bonuses count once per method: the primary key says so.
CREATE TABLE trust_verifications (
  entity_type text        NOT NULL,
  entity_id   text        NOT NULL,
  method      text        NOT NULL,
  verified_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id, method),
  FOREIGN KEY (entity_type, entity_id) REFERENCES trust_entities ON DELETE CASCADE,
  CONSTRAINT trust_verifications_method CHECK (method IN ('email', 'phone', 'document', 'social', 'biometric'))
);

CREATE TABLE abuse_reports (
  report_id       uuid             PRIMARY KEY,
  reporter_type   text             NOT NULL,
  reporter_id     text             NOT NULL,
  target_type     text             NOT NULL,
  target_id       text             NOT NULL,
  category        text             NOT NULL,
  severity        text             NOT NULL,
  description     text             NOT NULL,
  evidence        jsonb,
  call_id         text,
  weight          double precision NOT NULL,
  status          text             NOT NULL DEFAULT 'pending',
  review_priority smallint,
  claimed_by      text,
  claimed_at      timestamptz,
  resolved_by     text,
  resolution_note text,
  resolved_at     timestamptz,
  created_at      timestamptz      NOT NULL DEFAULT now(),
  FOREIGN KEY (target_type, target_id) REFERENCES trust_entities,
  CONSTRAINT abuse_reports_not_self CHECK ((reporter_type, reporter_id) <> (target_type, target_id)),
  CONSTRAINT abuse_reports_category CHECK (category IN ('spam', 'harassment', 'malicious_node', 'security_threat', 'impersonation', 'other')),
  CONSTRAINT abuse_reports_severity CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  CONSTRAINT abuse_reports_description CHECK (char_length(description) BETWEEN 1 AND 2000),
  CONSTRAINT abuse_reports_evidence CHECK (evidence IS NULL OR octet_length(evidence::text) <= 16384),
  CONSTRAINT abuse_reports_weight CHECK (weight > 0 AND weight <= 1),
  CONSTRAINT abuse_reports_status CHECK (status IN ('pending', 'upheld', 'dismissed')),
  CONSTRAINT abuse_reports_priority CHECK (review_priority IN (1, 2)),
  CONSTRAINT abuse_reports_resolution CHECK ((status = 'pending') = (resolved_at IS NULL))
);

CREATE INDEX abuse_reports_by_target ON abuse_reports (target_type, target_id, created_at);
CREATE INDEX abuse_reports_by_reporter ON abuse_reports (reporter_type, reporter_id, target_type, target_id, created_at);
-- The manual review queue: high and critical reports still pending, most urgent first, oldest first.
CREATE INDEX abuse_reports_queue ON abuse_reports (review_priority, created_at)
  WHERE status = 'pending' AND review_priority IS NOT NULL;

CREATE TABLE trust_history (
  id          bigserial        PRIMARY KEY,
  entity_type text             NOT NULL,
  entity_id   text             NOT NULL,
  old_score   double precision NOT NULL,
  new_score   double precision NOT NULL,
  old_level   text             NOT NULL,
  new_level   text             NOT NULL,
  reason      text             NOT NULL,
  at          timestamptz      NOT NULL DEFAULT now(),
  FOREIGN KEY (entity_type, entity_id) REFERENCES trust_entities ON DELETE CASCADE
);

CREATE INDEX trust_history_by_entity ON trust_history (entity_type, entity_id, id);

-- Append-only: who did what to which entity, and why.
CREATE TABLE moderation_log (
  id          bigserial   PRIMARY KEY,
  entity_type text        NOT NULL,
  entity_id   text        NOT NULL,
  action      text        NOT NULL,
  reason      text        NOT NULL,
  actor       text        NOT NULL,
  automatic   boolean     NOT NULL,
  report_id   uuid        REFERENCES abuse_reports,
  at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT moderation_log_action CHECK (action IN ('suspend', 'unsuspend', 'claim_report', 'uphold_report', 'dismiss_report',
                                                'block_server', 'unblock_server'))
);

CREATE INDEX moderation_log_by_entity ON moderation_log (entity_type, entity_id, id);

-- Federated homeservers. Their score lives in trust_entities (entity_type 'federated_server'); the registry holds
-- the operator's decision and the per-server request limit.
CREATE TABLE federated_servers (
  domain                    text        PRIMARY KEY,
  state                     text        NOT NULL DEFAULT 'allowed',
  requests_per_minute       integer     NOT NULL,
  blocked_reason            text,
  changed_by                text        NOT NULL,
  last_seen_at              timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT federated_servers_domain CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$'),
  CONSTRAINT federated_servers_state CHECK (state IN ('allowed', 'blocked')),
  CONSTRAINT federated_servers_limit CHECK (requests_per_minute BETWEEN 1 AND 1000000),
  CONSTRAINT federated_servers_blocked CHECK ((state = 'blocked') = (blocked_reason IS NOT NULL))
);

CREATE TRIGGER federated_servers_touch BEFORE UPDATE ON federated_servers FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
