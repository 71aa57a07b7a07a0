DROP TABLE access_requests;
ALTER TABLE api_tokens DROP COLUMN package_ids;
ALTER TABLE api_tokens DROP COLUMN expires;
