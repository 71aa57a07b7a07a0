DROP TABLE package_collaborators;
