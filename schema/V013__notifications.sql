-- The notification hub. A person's apps (one signing secret each, for Standard Webhooks) and, per device, the
-- channel a notification reaches it by (a webhook, a Matrix push gateway, or the live stream); their preferences; and the durable queue: every notification is a row
-- here before any delivery, taken by the workers of any member (FOR UPDATE SKIP LOCKED), so nothing queued is lost
-- when a member dies. One row per (event, device): the unique key is what makes a delivery happen once per device
-- whichever member handled the event.

CREATE TABLE notification_apps (
  aura_id         text        NOT NULL,
  app_id          text        NOT NULL,
  display_name    text        NOT NULL,
  signing_secret  text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (aura_id, app_id)
);

CREATE TABLE notification_channels (
  aura_id    text NOT NULL,
  app_id     text NOT NULL,
  device_id  text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('webhook', 'push_gateway', 'stream')),
  url        text,
  pushkey    text,
  PRIMARY KEY (aura_id, app_id, device_id),
  FOREIGN KEY (aura_id, app_id) REFERENCES notification_apps ON DELETE CASCADE,
  CHECK (kind <> 'push_gateway' OR pushkey IS NOT NULL),
  -- A live stream (Server-Sent Events) is reached by whichever member the client is connected to, not by a URL.
  CHECK ((kind = 'stream') = (url IS NULL))
);

CREATE TABLE notification_preferences (
  aura_id         text        PRIMARY KEY,
  preferred_apps  text[]      NOT NULL DEFAULT '{}',
  ring            text        NOT NULL DEFAULT 'all' CHECK (ring IN ('all', 'preferred')),
  dnd             jsonb       NOT NULL DEFAULT '[]',
  time_zone       text        NOT NULL DEFAULT 'UTC',
  contacts_only   boolean     NOT NULL DEFAULT false,
  ring_seconds    integer     CHECK (ring_seconds IS NULL OR ring_seconds > 0),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
  id               uuid        PRIMARY KEY,
  event_key        text        NOT NULL,
  kind             text        NOT NULL,
  aura_id          text        NOT NULL,
  app_id           text        NOT NULL,
  device_id        text        NOT NULL,
  call_id          text,
  payload          jsonb       NOT NULL,
  state            text        NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'delivering', 'delivered', 'dead', 'expired', 'cancelled')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_until      timestamptz,
  expires_at       timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  acknowledged_at  timestamptz,
  UNIQUE (event_key, aura_id, app_id, device_id)
);

CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state IN ('pending', 'delivering');
CREATE INDEX notifications_call ON notifications (call_id, kind) WHERE call_id IS NOT NULL;
CREATE INDEX notifications_person ON notifications (aura_id, created_at DESC);

-- Calls that left `ringing`, as the hub learnt it: a ring for one of them is never queued nor delivered, whatever
-- order the call's events arrive in.
CREATE TABLE notification_calls_ended (
  call_id    text        PRIMARY KEY,
  state      text        NOT NULL,
  ended_at   timestamptz NOT NULL DEFAULT now()
);
