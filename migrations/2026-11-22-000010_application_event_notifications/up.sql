-- Every new timeline event is announced on a channel, from the transaction
-- that writes it, so subscribers on any server process see it once it
-- commits (and never when it rolls back). The payload names the event, its
-- application and job; listeners load the rest, as the subscriber may see it.
-- Bulk loads may set `careergraph.quiet_events` to 'on' for their
-- transaction to stay silent.
CREATE FUNCTION careergraph_announce_application_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('careergraph.quiet_events', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('careergraph_application_events', json_build_object(
        'event', NEW.id,
        'application', NEW.application_id,
        'job', (SELECT job_id FROM applications WHERE id = NEW.application_id)
    )::text);
    RETURN NULL;
END;
$$;
CREATE TRIGGER announce AFTER INSERT ON application_events
    FOR EACH ROW EXECUTE FUNCTION careergraph_announce_application_event();
