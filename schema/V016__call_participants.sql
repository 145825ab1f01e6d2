-- Calls with several parties: each participant has its own state (call.impl.ParticipantStates), changed by one
-- conditional UPDATE under the call's row lock, so a call's participants change one at a time and the call's own
-- transitions (answered at the first join, declined when every callee declined, completed when the last joined
-- participant left) are decided on what the others committed. Devices leave individually (left_at). A participant
-- who joins without having been invited (added by a calls:write service, e.g. a MatrixRTC room member) is a
-- 'member'. Calls of a MatrixRTC room may have no callee at all.

ALTER TABLE call_participants
  ADD COLUMN state     text        NOT NULL DEFAULT 'invited',
  ADD COLUMN joined_at timestamptz,
  ADD COLUMN left_at   timestamptz,
  -- Bumped on every change: the participant events' ids (<call_id>:<aura_id>:<version>) are unique by it.
  ADD COLUMN version   integer     NOT NULL DEFAULT 0,
  DROP CONSTRAINT call_participants_role,
  ADD CONSTRAINT call_participants_role CHECK (role IN ('caller', 'callee', 'member')),
  ADD CONSTRAINT call_participants_state CHECK (state IN ('invited', 'joined', 'declined', 'left'));

ALTER TABLE call_devices ADD COLUMN left_at timestamptz;

-- Existing calls: the caller joined at the start, the answering callee at the answer; ended calls were left by all.
UPDATE call_participants p SET state = 'joined', joined_at = c.created_at
FROM calls c WHERE c.call_id = p.call_id AND p.role = 'caller';
UPDATE call_participants p SET state = 'joined', joined_at = c.answered_at
FROM calls c WHERE c.call_id = p.call_id AND p.aura_id = c.answered_by;
UPDATE call_participants p SET state = 'declined'
FROM calls c WHERE c.call_id = p.call_id AND c.state = 'declined' AND p.role = 'callee';
UPDATE call_participants p SET state = 'left', left_at = c.ended_at
FROM calls c WHERE c.call_id = p.call_id AND c.ended_at IS NOT NULL AND p.state = 'joined';
UPDATE call_devices d SET left_at = c.ended_at
FROM calls c WHERE c.call_id = d.call_id AND c.ended_at IS NOT NULL;
