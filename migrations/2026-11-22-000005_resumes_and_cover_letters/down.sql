DROP TABLE cover_letters;
ALTER TABLE resumes DROP CONSTRAINT resumes_pinned_version_id_fkey;
DROP TABLE resume_versions;
DROP TABLE resumes;
