DROP TABLE harvest_objects;
DROP TABLE harvest_jobs;
