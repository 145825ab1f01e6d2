-- Verification challenges (issue 16). Codes are never stored: only an HMAC-SHA256 of the code under the server's
-- verification key. Attempts are counted by their own statement before a code is compared, so no failure after
-- the count can undo it.
CREATE TABLE verification_challenges (
  id              uuid PRIMARY KEY,
  aura_id         text        NOT NULL,
  method          text        NOT NULL CHECK (method IN ('email', 'phone', 'document', 'social', 'biometric')),
  -- Normalised email address or E.164 number; shown masked only.
  destination     text,
  code_hash       bytea,
  status          text        NOT NULL CHECK (status IN ('pending', 'completed', 'expired', 'exhausted', 'cancelled',
                                                          'undelivered', 'failed')),
  attempts        integer     NOT NULL DEFAULT 0,
  max_attempts    integer     NOT NULL,
  provider_ref    text,
  -- Social checks: the PKCE code verifier until the callback consumes it (single use).
  oauth_verifier  text,
  delivery_status text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  completed_at    timestamptz,
  ended_at        timestamptz
);

CREATE INDEX verification_challenges_by_aura_id ON verification_challenges (aura_id, created_at DESC, id DESC);
CREATE INDEX verification_challenges_pending ON verification_challenges (expires_at) WHERE status = 'pending';
CREATE INDEX verification_challenges_completed ON verification_challenges (completed_at) WHERE status = 'completed';
CREATE INDEX verification_challenges_by_provider_ref ON verification_challenges (provider_ref)
  WHERE provider_ref IS NOT NULL;

-- One row per AuraID and method: what has been verified, and whether the trust domain has been told yet (a
-- failed call is retried by the sweep).
CREATE TABLE verified_methods (
  aura_id        text        NOT NULL,
  method         text        NOT NULL,
  destination    text,
  challenge_id   uuid        NOT NULL REFERENCES verification_challenges (id),
  verified_at    timestamptz NOT NULL DEFAULT now(),
  trust_recorded boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (aura_id, method)
);

CREATE INDEX verified_methods_by_destination ON verified_methods (method, destination);
-- A phone number or a social account proves one AuraID only (email: see AURALINK_VERIFICATION_SHARED_EMAIL).
CREATE UNIQUE INDEX verified_methods_unique_destination ON verified_methods (method, destination)
  WHERE method IN ('phone', 'social');
CREATE INDEX verified_methods_unrecorded ON verified_methods (verified_at) WHERE NOT trust_recorded;

-- Provider webhook events already applied, by provider and event id: a retried or replayed delivery is answered
-- as a duplicate and changes nothing.
CREATE TABLE verification_webhook_events (
  provider    text        NOT NULL,
  event_id    text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);
