-- The two large texts written with every dataset change (the cached package_show dict and the
-- activity's copy of it) are compressed with lz4 instead of pglz: about 0.1 ms less CPU per
-- create. A server built without lz4 keeps pglz (the statement fails and is skipped).
DO $$
BEGIN
    EXECUTE 'ALTER TABLE packages ALTER COLUMN dict_cache SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE activities ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 compression is not available: large texts keep pglz';
END
$$;
