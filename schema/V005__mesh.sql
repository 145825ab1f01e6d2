-- The mesh: nodes (devices, relays, edge servers) and the links measured between them. Hazelcast holds the live
-- graph cluster-wide; these tables make it survive a full-cluster restart. Liveness is not kept here: after a restart
-- every node is offline until it beats again.

CREATE TABLE mesh_nodes (
  node_id          uuid             PRIMARY KEY,
  owner_aura_id    text             NOT NULL,
  device_id        text             NOT NULL,
  node_type        text             NOT NULL,
  device_type      text             NOT NULL,
  address          text             NOT NULL,
  nat_type         text             NOT NULL,
  region           text,
  latitude         double precision,
  longitude        double precision,
  capabilities     text[]           NOT NULL,
  bandwidth_mbps   double precision NOT NULL,
  max_connections  integer          NOT NULL,
  trust_score      double precision NOT NULL DEFAULT 50,
  suspended        boolean          NOT NULL DEFAULT false,
  registered_at    timestamptz      NOT NULL DEFAULT now(),
  updated_at       timestamptz      NOT NULL DEFAULT now(),
  CONSTRAINT mesh_nodes_device UNIQUE (owner_aura_id, device_id),
  CONSTRAINT mesh_nodes_type CHECK (node_type IN ('peer', 'relay', 'edge', 'super_node')),
  CONSTRAINT mesh_nodes_nat CHECK (nat_type IN ('public', 'full_cone', 'restricted_cone', 'port_restricted', 'symmetric', 'unknown')),
  CONSTRAINT mesh_nodes_place CHECK ((latitude IS NULL) = (longitude IS NULL)
    AND (latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180))),
  CONSTRAINT mesh_nodes_capabilities CHECK (capabilities <@ ARRAY['audio', 'video', 'screen_share', 'aic']),
  CONSTRAINT mesh_nodes_capacity CHECK (bandwidth_mbps > 0 AND max_connections > 0),
  CONSTRAINT mesh_nodes_trust CHECK (trust_score BETWEEN 0 AND 100)
);

CREATE INDEX mesh_nodes_by_owner ON mesh_nodes (owner_aura_id);

CREATE TRIGGER mesh_nodes_touch BEFORE UPDATE ON mesh_nodes FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE mesh_links (
  a              uuid             NOT NULL REFERENCES mesh_nodes ON DELETE CASCADE,
  b              uuid             NOT NULL REFERENCES mesh_nodes ON DELETE CASCADE,
  rtt_ms         double precision NOT NULL,
  jitter_ms      double precision NOT NULL,
  loss           double precision NOT NULL,
  bandwidth_mbps double precision NOT NULL,
  samples        bigint           NOT NULL,
  version        bigint           NOT NULL,
  updated_at     timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (a, b),
  CONSTRAINT mesh_links_ordered CHECK (a::text < b::text),
  CONSTRAINT mesh_links_values CHECK (rtt_ms >= 0 AND jitter_ms >= 0 AND loss BETWEEN 0 AND 1 AND bandwidth_mbps >= 0)
);

-- Routes chosen, written off the query path, and their outcome once the call ends: for analysis.
CREATE TABLE mesh_routes (
  route_id            uuid             PRIMARY KEY,
  source_aura_id      text             NOT NULL,
  destination_aura_id text             NOT NULL,
  media_type          text             NOT NULL,
  require_aic         boolean          NOT NULL,
  tier                smallint         NOT NULL,
  path                text[]           NOT NULL,
  predicted           jsonb            NOT NULL,
  score               double precision NOT NULL,
  created_at          timestamptz      NOT NULL DEFAULT now(),
  outcome             jsonb,
  ended_at            timestamptz,
  CONSTRAINT mesh_routes_tier CHECK (tier BETWEEN 1 AND 4)
);

CREATE INDEX mesh_routes_by_source ON mesh_routes (source_aura_id, created_at);
