-- Data at rest (issue 18): sensitive columns are kept sealed (AES-256-GCM, `v1:<key id>:<base64url>`, see
-- platform.crypto.Sealer) in `<column>_sealed`, and where equality lookups need them as a keyed HMAC-SHA256 in
-- `<column>_hmac`. The plaintext columns stay only for rows written before this migration: the re-encryption job of
-- each domain (platform.crypto.Resealer) seals them in batches and sets the plaintext to NULL. SQL cannot do it
-- here: the keys live in the nodes' configuration, never in the database.

-- Verification: destinations (email addresses, phone numbers, `provider:subject` of social accounts) and the PKCE
-- verifier of a social check.
ALTER TABLE verification_challenges
  ADD COLUMN destination_sealed    text,
  ADD COLUMN destination_hmac      bytea,
  ADD COLUMN oauth_verifier_sealed text;

-- What a verified method proves is only ever compared, never shown: its digest is kept, not even a ciphertext (the
-- challenge it came from holds the sealed destination).
ALTER TABLE verified_methods ADD COLUMN destination_hmac bytea;
DROP INDEX verified_methods_by_destination;
DROP INDEX verified_methods_unique_destination;
CREATE INDEX verified_methods_by_destination ON verified_methods (method, destination_hmac);
-- A phone number or a social account proves one AuraID only: now by digest.
CREATE UNIQUE INDEX verified_methods_unique_destination ON verified_methods (method, destination_hmac)
  WHERE method IN ('phone', 'social');
-- Rows not yet sealed (this migration's legacy) are found by the job.
CREATE INDEX verified_methods_unsealed ON verified_methods (method) WHERE destination IS NOT NULL;

-- Notification hub: the apps' Standard Webhooks signing secrets and the Matrix push gateways' pushkeys.
ALTER TABLE notification_apps ADD COLUMN signing_secret_sealed text;
ALTER TABLE notification_apps ALTER COLUMN signing_secret DROP NOT NULL;
ALTER TABLE notification_apps ADD CONSTRAINT notification_apps_secret
  CHECK (signing_secret IS NOT NULL OR signing_secret_sealed IS NOT NULL);

ALTER TABLE notification_channels ADD COLUMN pushkey_sealed text;
DO $$
DECLARE
  pushkey_check text;
BEGIN
  SELECT conname INTO pushkey_check FROM pg_constraint
  WHERE conrelid = 'notification_channels'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%pushkey%';
  IF pushkey_check IS NOT NULL THEN
    EXECUTE format('ALTER TABLE notification_channels DROP CONSTRAINT %I', pushkey_check);
  END IF;
END $$;
ALTER TABLE notification_channels ADD CONSTRAINT notification_channels_pushkey
  CHECK (kind <> 'push_gateway' OR pushkey IS NOT NULL OR pushkey_sealed IS NOT NULL);

-- One re-encryption job per domain at a time, cluster-wide: whoever holds the lease (until lease_until) works.
CREATE TABLE sealing_leases (
  name        text        PRIMARY KEY,
  holder      text        NOT NULL,
  lease_until timestamptz NOT NULL
);
