-- A user's datasets counted from the index alone (number_created_packages, the user pages), and
-- the trash (deleted datasets, newest change first) without reading every dataset.
CREATE INDEX packages_creator_state ON packages(creator_user_id, state, private);
CREATE INDEX packages_state_modified ON packages(state, metadata_modified);
