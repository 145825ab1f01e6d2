-- Shared building blocks for every domain's tables.

-- Keeps updated_at honest without trusting every writer: domains attach it as
--   CREATE TRIGGER <table>_touch BEFORE UPDATE ON <table> FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
