-- The registry's copy of each AuraID's trust (level, verified, suspension), pushed by the trust domain.
-- `trust_version` is the trust domain's version of the entity: a push older than what is stored changes nothing,
-- so pushes may be repeated or arrive out of order.
ALTER TABLE aura_ids ADD COLUMN trust_version bigint NOT NULL DEFAULT 0;

-- A suspension outlives deactivation: a suspended AuraID that is deactivated keeps its suspension, and
-- reactivating it brings it back suspended. So `suspended` needs a suspension, but a suspension no longer needs
-- the `suspended` status.
ALTER TABLE aura_ids DROP CONSTRAINT aura_ids_suspension;
ALTER TABLE aura_ids ADD CONSTRAINT aura_ids_suspension CHECK (status <> 'suspended' OR suspended_at IS NOT NULL);
