-- A record's objects by source and guid: the partial unique index (WHERE current) cannot serve
-- a query whose "current = ?" is a bound parameter, so every import scanned the source's objects.
CREATE INDEX harvest_objects_guid ON harvest_objects(source_id, guid);
