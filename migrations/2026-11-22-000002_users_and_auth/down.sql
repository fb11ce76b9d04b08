DROP TABLE email_outbox;
DROP TABLE one_time_tokens;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE companies;
