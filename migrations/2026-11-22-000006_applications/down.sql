DROP TABLE application_events;
DROP FUNCTION careergraph_application_events_append_only();
DROP TABLE interviews;
DROP TABLE applications;
