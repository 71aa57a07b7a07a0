DROP TABLE harvest_configs;
