-- Shared building blocks for every later migration.

-- Keeps `updated_at` current on every UPDATE; attached to each table by
-- `careergraph_track_updated_at`.
CREATE FUNCTION careergraph_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE FUNCTION careergraph_track_updated_at(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(
        'CREATE TRIGGER set_updated_at BEFORE UPDATE ON %s
         FOR EACH ROW EXECUTE FUNCTION careergraph_set_updated_at()',
        target
    );
END;
$$;

-- array_to_string is only STABLE, which generated columns refuse; for text[]
-- the result never depends on settings, so this wrapper may be IMMUTABLE.
CREATE FUNCTION careergraph_join_text(items text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_to_string(items, ' '), '')
$$;

-- Lower-cased copy of a text array, for case-insensitive array matching
-- backed by an expression index.
CREATE FUNCTION careergraph_lower_text(items text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(lower(item) ORDER BY ordinality), '{}')
    FROM unnest(items) WITH ORDINALITY AS t(item, ordinality)
$$;
