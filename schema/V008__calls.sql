-- Calls: one row per call with its state (the call domain's state machine, CallStates), route, LiveKit room, ring
-- deadline and outcome, and its participants with the devices that joined. A state change is one conditional
-- UPDATE (WHERE state = <the state it leaves>), so two members racing on one call never both win. Ring deadlines are
-- on the database's clock and swept by any member.

CREATE TABLE calls (
  call_id            uuid        PRIMARY KEY,
  caller_aura_id     text        NOT NULL,
  entry_point        text        NOT NULL,
  external_id        text,
  media_type         text        NOT NULL,
  state              text        NOT NULL DEFAULT 'ringing',
  route              jsonb,
  route_id           uuid,
  room               text,
  livekit_url        text,
  room_created       boolean     NOT NULL DEFAULT false,
  ring_deadline      timestamptz NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  answered_at        timestamptz,
  answered_by        text,
  answered_device    text,
  ended_at           timestamptz,
  ended_by           text,
  end_reason         text,
  quality            jsonb,
  CONSTRAINT calls_entry_point CHECK (entry_point IN ('api', 'matrix_legacy', 'matrix_rtc')),
  CONSTRAINT calls_media_type CHECK (media_type IN ('audio', 'video', 'audio_video', 'screen_share')),
  CONSTRAINT calls_state CHECK (state IN ('ringing', 'answered', 'completed', 'declined', 'missed', 'cancelled',
                                          'failed', 'terminated')),
  -- What each state implies about the timestamps: answered calls have an answer, ended calls an end.
  CONSTRAINT calls_answered CHECK ((state NOT IN ('answered', 'completed') OR answered_at IS NOT NULL)
                                   AND (state NOT IN ('ringing', 'declined', 'missed', 'cancelled', 'failed')
                                        OR answered_at IS NULL)),
  CONSTRAINT calls_ended CHECK ((ended_at IS NULL) = (state IN ('ringing', 'answered'))),
  CONSTRAINT calls_external UNIQUE (entry_point, external_id)
);

-- The ring sweep reads only ringing calls, by deadline.
CREATE INDEX calls_ringing ON calls (ring_deadline) WHERE state = 'ringing';

CREATE TABLE call_participants (
  call_id     uuid        NOT NULL REFERENCES calls ON DELETE CASCADE,
  aura_id     text        NOT NULL,
  role        text        NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (call_id, aura_id),
  CONSTRAINT call_participants_role CHECK (role IN ('caller', 'callee'))
);

-- History: a person's calls, newest first (created_at is the call's, copied so the page is one index range).
CREATE INDEX call_participants_history ON call_participants (aura_id, created_at DESC, call_id DESC);

CREATE TABLE call_devices (
  call_id    uuid        NOT NULL,
  aura_id    text        NOT NULL,
  device_id  text        NOT NULL,
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (call_id, aura_id, device_id),
  FOREIGN KEY (call_id, aura_id) REFERENCES call_participants ON DELETE CASCADE
);
