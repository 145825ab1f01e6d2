-- The AuraID registry: one universal handle per person, its privacy, its Matrix mapping and its contacts.

CREATE TABLE aura_ids (
  aura_id           text        PRIMARY KEY,
  username          text        NOT NULL UNIQUE,
  user_id           text        NOT NULL,
  display_name      text        NOT NULL,
  avatar_url        text,
  privacy_level     text        NOT NULL DEFAULT 'public',
  status            text        NOT NULL DEFAULT 'active',
  verified          boolean     NOT NULL DEFAULT false,
  trust_level       text        NOT NULL DEFAULT 'established',
  suspension_reason text,
  suspended_at      timestamptz,
  suspended_by      text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT aura_ids_username_format CHECK (username ~ '^[a-z0-9][a-z0-9_]{2,19}$'),
  CONSTRAINT aura_ids_aura_id_is_username CHECK (aura_id = '@' || username || '.aura'),
  CONSTRAINT aura_ids_user_id_length CHECK (char_length(user_id) BETWEEN 1 AND 128),
  CONSTRAINT aura_ids_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 64),
  CONSTRAINT aura_ids_avatar_https CHECK (avatar_url IS NULL OR avatar_url ~ '^https://'),
  CONSTRAINT aura_ids_privacy_level CHECK (privacy_level IN ('public', 'friends', 'private')),
  CONSTRAINT aura_ids_status CHECK (status IN ('active', 'inactive', 'suspended')),
  CONSTRAINT aura_ids_trust_level CHECK (trust_level IN ('verified', 'trusted', 'established', 'new', 'caution', 'suspended')),
  CONSTRAINT aura_ids_suspension CHECK ((status = 'suspended') = (suspended_at IS NOT NULL))
);

-- One account holds at most one AuraID that is not deactivated (a suspended one still counts: suspension is not
-- escaped by registering again).
CREATE UNIQUE INDEX aura_ids_one_per_account ON aura_ids (user_id) WHERE status <> 'inactive';

CREATE TRIGGER aura_ids_touch BEFORE UPDATE ON aura_ids FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The Matrix user of each AuraID and how far its provisioning on the homeserver went. No access token is kept:
-- the service acts as its users through the Application Service token.
CREATE TABLE matrix_mappings (
  aura_id         text        PRIMARY KEY REFERENCES aura_ids ON DELETE CASCADE,
  matrix_user_id  text        NOT NULL UNIQUE,
  state           text        NOT NULL,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error      text,
  provisioned_at  timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT matrix_mappings_state CHECK (state IN ('unconfigured', 'pending', 'provisioned')),
  CONSTRAINT matrix_mappings_user_id CHECK (matrix_user_id ~ '^@[a-z0-9_]+_aura:.+$'),
  CONSTRAINT matrix_mappings_attempts CHECK (attempts >= 0)
);

CREATE INDEX matrix_mappings_due ON matrix_mappings (next_attempt_at) WHERE state = 'pending';

CREATE TRIGGER matrix_mappings_touch BEFORE UPDATE ON matrix_mappings FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Directed contact edges: owner -> contact. A request is a pending edge from the requester; accepting makes both
-- edges accepted (friends = accepted both ways); a block is an edge from the blocker, and removes the other way.
CREATE TABLE contacts (
  owner_aura_id   text        NOT NULL REFERENCES aura_ids ON DELETE CASCADE,
  contact_aura_id text        NOT NULL REFERENCES aura_ids ON DELETE CASCADE,
  state           text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner_aura_id, contact_aura_id),
  CONSTRAINT contacts_not_self CHECK (owner_aura_id <> contact_aura_id),
  CONSTRAINT contacts_state CHECK (state IN ('pending', 'accepted', 'blocked'))
);

CREATE INDEX contacts_by_contact ON contacts (contact_aura_id, state);

CREATE TRIGGER contacts_touch BEFORE UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
