DROP INDEX packages_state_modified;
DROP INDEX packages_creator_state;
