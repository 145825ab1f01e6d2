-- A ring that do-not-disturb or contacts-only suppressed is kept as a delivery row in state `suppressed` with its
-- reason, so that ring receipts and the notification list show it, and the missed call reaches the same devices.
ALTER TABLE notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_state_check
  CHECK (state IN ('pending', 'delivering', 'delivered', 'dead', 'expired', 'cancelled', 'suppressed'));
ALTER TABLE notifications ADD COLUMN suppressed_reason text
  CHECK (suppressed_reason IS NULL OR state = 'suppressed');
