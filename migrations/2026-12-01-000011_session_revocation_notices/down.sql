DROP TRIGGER announce_revocation ON refresh_tokens;
DROP FUNCTION careergraph_announce_session_revocation();
