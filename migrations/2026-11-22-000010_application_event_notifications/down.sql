DROP TRIGGER announce ON application_events;
DROP FUNCTION careergraph_announce_application_event();
