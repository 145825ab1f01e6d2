-- Who may see a person's presence beyond what their privacy level already allows: `everyone` who may see the
-- AuraID (the default, also when there is no row), or only their accepted contacts. A privacy choice, so it is kept
-- durably here and not beside the presence itself in Redis, whose entries expire.

CREATE TABLE presence_visibility (
  aura_id     text        PRIMARY KEY,
  visible_to  text        NOT NULL CHECK (visible_to IN ('everyone', 'contacts')),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
