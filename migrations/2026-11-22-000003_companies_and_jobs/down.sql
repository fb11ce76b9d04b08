DROP TABLE job_bookmarks;
DROP TABLE jobs;
