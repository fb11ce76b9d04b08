DROP TABLE projects;
DROP TABLE skills;
DROP TABLE certifications;
DROP TABLE educations;
DROP TABLE achievements;
DROP TABLE work_experiences;
