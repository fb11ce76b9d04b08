DROP FUNCTION careergraph_lower_text(text[]);
DROP FUNCTION careergraph_join_text(text[]);
DROP FUNCTION careergraph_track_updated_at(regclass);
DROP FUNCTION careergraph_set_updated_at();
