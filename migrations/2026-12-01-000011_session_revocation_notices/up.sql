-- Every ended session is announced, from the transaction that ends it, so
-- each server process can close the subscriptions opened with one of its
-- access tokens (logout, logoutEverywhere, a password change or reset, a
-- reused refresh token). PostgreSQL delivers identical payloads of one
-- transaction once, so a family of many tokens is announced once.
CREATE FUNCTION careergraph_announce_session_revocation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('careergraph_session_revocations', json_build_object(
        'session', NEW.family_id,
        'user', NEW.user_id
    )::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER announce_revocation AFTER UPDATE OF revoked_at ON refresh_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION careergraph_announce_session_revocation();
