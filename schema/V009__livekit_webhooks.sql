-- LiveKit webhook events already applied, by LiveKit's event id. LiveKit retries a delivery it believes failed, and
-- an event is a hint applied once (ARCHITECTURE §10: every effect is idempotent by a key): inserting its id is the
-- claim, a unique violation (23505) means another delivery, on any member, had it already. Rows older than a day
-- are pruned by the call domain's sweep; LiveKit gives up retrying long before.

CREATE TABLE livekit_webhook_events (
  event_id     text        PRIMARY KEY,
  event        text        NOT NULL,
  room         text,
  received_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX livekit_webhook_events_received ON livekit_webhook_events (received_at);

-- Webhooks name the LiveKit room, not the call.
CREATE INDEX calls_room ON calls (room) WHERE room IS NOT NULL;
