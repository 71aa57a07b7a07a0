-- The dataset dict as package_show returns it, rebuilt on every write of the dataset and
-- cleared when something it shows (organisation, groups) changes. NULL means: build it.
ALTER TABLE packages ADD COLUMN dict_cache TEXT;
