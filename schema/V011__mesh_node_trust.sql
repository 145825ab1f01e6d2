-- Mesh nodes earn trust (issue 11): the trust domain keeps each node's service record as the mesh reports it, and
-- the trust an operator vouched for an infrastructure relay. A node's base score is computed from its owner's trust
-- and this record (see NodeTrust); reports, verifications and behaviour apply on top as for every entity.

CREATE TABLE trust_node_records (
  entity_type     text             NOT NULL DEFAULT 'mesh_node',
  node_id         text             NOT NULL,
  online_seconds  double precision NOT NULL DEFAULT 0,
  offline_seconds double precision NOT NULL DEFAULT 0,
  beats_on_time   bigint           NOT NULL DEFAULT 0,
  beats_late      bigint           NOT NULL DEFAULT 0,
  relayed_good    bigint           NOT NULL DEFAULT 0,
  relayed_poor    bigint           NOT NULL DEFAULT 0,
  vouched_trust   double precision,
  vouched_by      text,
  vouched_at      timestamptz,
  updated_at      timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, node_id),
  FOREIGN KEY (entity_type, node_id) REFERENCES trust_entities ON DELETE CASCADE,
  CONSTRAINT trust_node_records_type CHECK (entity_type = 'mesh_node'),
  CONSTRAINT trust_node_records_counts CHECK (online_seconds >= 0 AND offline_seconds >= 0 AND beats_on_time >= 0
    AND beats_late >= 0 AND relayed_good >= 0 AND relayed_poor >= 0),
  CONSTRAINT trust_node_records_vouched CHECK ((vouched_trust IS NULL) = (vouched_by IS NULL)
    AND (vouched_trust IS NULL OR vouched_trust BETWEEN 0 AND 100))
);

ALTER TABLE moderation_log DROP CONSTRAINT moderation_log_action;
ALTER TABLE moderation_log ADD CONSTRAINT moderation_log_action CHECK (action IN ('suspend', 'unsuspend',
  'claim_report', 'uphold_report', 'dismiss_report', 'block_server', 'unblock_server', 'vouch_node'));

-- What a node itself is learned to add to calls (NodeQuality: its access jitter and loss, and what it adds when it
-- relays), kept so that a full-cluster restart does not forget it. NULL: nothing learned yet (the defaults).
ALTER TABLE mesh_nodes ADD COLUMN quality jsonb;
