DROP TABLE package_tags;
DROP TABLE tags;
DROP TABLE resources;
DROP TABLE packages;
