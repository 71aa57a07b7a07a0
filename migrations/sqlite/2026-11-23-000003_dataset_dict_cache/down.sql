ALTER TABLE packages DROP COLUMN dict_cache;
