DROP TABLE vocabularies;
