DROP TABLE maintenance_notices;
