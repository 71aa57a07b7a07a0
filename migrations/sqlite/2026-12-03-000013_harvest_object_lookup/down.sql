DROP INDEX harvest_objects_guid;
