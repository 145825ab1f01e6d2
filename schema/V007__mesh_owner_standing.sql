-- The standing of a node's owner: false while the owning AuraID is deactivated or suspended, which takes all of the
-- owner's nodes out of routing. owner_since is when that standing was learned (epoch milliseconds), so that members
-- writing one owner's changes in different orders agree: a standing learned earlier never overrides a later one.

ALTER TABLE mesh_nodes
  ADD COLUMN owner_active boolean NOT NULL DEFAULT true,
  ADD COLUMN owner_since  bigint  NOT NULL DEFAULT 0;

-- Nodes registered before owners were checked: their owners' standing as the registry holds it now (a node of an
-- AuraID that was never registered, or is not active, is out of routing until its owner is active).
UPDATE mesh_nodes n SET
  owner_active = EXISTS (SELECT 1 FROM aura_ids a WHERE a.aura_id = n.owner_aura_id AND a.status = 'active'),
  owner_since = (extract(epoch FROM now()) * 1000)::bigint;
