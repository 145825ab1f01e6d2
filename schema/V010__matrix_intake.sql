-- The Matrix bridge's durable intake. A homeserver transaction is acknowledged only once its events are here (one
-- statement: the transaction row and every event row); processing happens afterwards from this queue, by any member.
-- Replays change nothing: a txnId seen again only counts a delivery, and an event id is stored once whatever
-- transaction carries it (homeservers reuse txnIds after a restart, so events are deduplicated by event_id).

CREATE TABLE matrix_transactions (
  txn_id            text        PRIMARY KEY,
  event_count       integer     NOT NULL,
  deliveries        integer     NOT NULL DEFAULT 1,
  first_received_at timestamptz NOT NULL DEFAULT now(),
  last_received_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT matrix_transactions_counts CHECK (event_count >= 0 AND deliveries >= 1)
);

-- One row per Matrix event kept for processing. seq orders a room's events as the homeserver sent them; the head of
-- each room (its lowest seq not yet done) is the only event of that room a member may claim, so a room's events are
-- applied in order while different rooms proceed in parallel. A claim is a lease (due_at in the future while
-- 'processing'): a member that dies mid-processing leaves an expired lease that another member takes over.
CREATE TABLE matrix_events (
  seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id     text        NOT NULL,
  room_id      text        NOT NULL,
  type         text        NOT NULL,
  txn_id       text        NOT NULL,
  event        jsonb       NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  state        text        NOT NULL DEFAULT 'pending',
  due_at       timestamptz NOT NULL DEFAULT now(),
  attempts     integer     NOT NULL DEFAULT 0,
  claimed_by   text,
  processed_at timestamptz,
  outcome      text,
  CONSTRAINT matrix_events_event_id UNIQUE (event_id),
  CONSTRAINT matrix_events_state CHECK (state IN ('pending', 'processing', 'done', 'failed')),
  CONSTRAINT matrix_events_attempts CHECK (attempts >= 0),
  CONSTRAINT matrix_events_processed CHECK ((processed_at IS NOT NULL) = (state IN ('done', 'failed')))
);

-- The queue: open events by room and order (claims read the head of each room), and by age (health).
CREATE INDEX matrix_events_open ON matrix_events (room_id, seq) WHERE state IN ('pending', 'processing');
CREATE INDEX matrix_events_processed_at ON matrix_events (processed_at) WHERE state IN ('done', 'failed');

-- Matrix calls the bridge started in the call domain: where to send a hang-up into Matrix when the call domain ends
-- one by policy (hangup_sent_at makes that once, whichever member sees the event), and whether it still runs.
CREATE TABLE matrix_calls (
  call_id         uuid        PRIMARY KEY,
  kind            text        NOT NULL,
  room_id         text        NOT NULL,
  matrix_call_id  text        NOT NULL,
  caller_user_id  text        NOT NULL,
  callee_user_id  text        NOT NULL,
  version         text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  hangup_sent_at  timestamptz,
  ended_at        timestamptz,
  CONSTRAINT matrix_calls_kind CHECK (kind IN ('legacy', 'rtc')),
  CONSTRAINT matrix_calls_matrix_id UNIQUE (room_id, matrix_call_id)
);
