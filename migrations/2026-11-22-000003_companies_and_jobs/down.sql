DROP TABLE job_bookmarks;
DROP TABLE jobs;
DROP FUNCTION careergraph_match_score(text[], text[], text[]);
DROP EXTENSION IF EXISTS pg_trgm;
