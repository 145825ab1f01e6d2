-- MatrixRTC: the memberships of AuraIDs' devices in a room's call slot (org.matrix.msc3401.call.member state events,
-- m.rtc.member), one row per room and state key (the newest event wins), with their expiry on the server clock, and
-- the call of the call domain each one joined. Memberships of Matrix users who are not AuraIDs are not kept: the call
-- log holds AuraIDs only. A room slot's live call is the matrix_calls row of kind 'rtc' with that slot and no end.

CREATE TABLE matrix_rtc_members (
  room_id     text        NOT NULL,
  state_key   text        NOT NULL,
  slot_id     text        NOT NULL,
  user_id     text        NOT NULL,
  device_id   text        NOT NULL,
  aura_id     text        NOT NULL,
  event_id    text        NOT NULL,
  expires_at  timestamptz NOT NULL,
  call_id     uuid,
  PRIMARY KEY (room_id, state_key)
);

-- The expiry sweep reads memberships by expiry.
CREATE INDEX matrix_rtc_members_expiry ON matrix_rtc_members (expires_at);

ALTER TABLE matrix_calls ADD COLUMN rtc_slot text;

-- The live call of a room's slot.
CREATE INDEX matrix_calls_rtc_live ON matrix_calls (room_id, rtc_slot) WHERE kind = 'rtc' AND ended_at IS NULL;
