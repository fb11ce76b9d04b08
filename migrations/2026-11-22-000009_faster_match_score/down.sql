-- The body from 000003.
CREATE OR REPLACE FUNCTION careergraph_match_score(required text[], preferred text[], skills text[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH req AS (SELECT DISTINCT lower(item) AS skill FROM unnest(required) AS item),
         pref AS (SELECT DISTINCT lower(item) AS skill FROM unnest(preferred) AS item
                  WHERE lower(item) NOT IN (SELECT skill FROM req)),
         have AS (SELECT lower(item) AS skill FROM unnest(skills) AS item),
         totals AS (
             SELECT 2 * (SELECT count(*) FROM req) + (SELECT count(*) FROM pref) AS possible,
                    2 * (SELECT count(*) FROM req WHERE skill IN (SELECT skill FROM have))
                      + (SELECT count(*) FROM pref WHERE skill IN (SELECT skill FROM have)) AS earned
         )
    SELECT CASE WHEN possible = 0 THEN NULL ELSE ((earned * 100 + possible / 2) / possible)::integer END
    FROM totals
$$;
