DROP TABLE site_settings;
DROP TABLE changes;
DROP TABLE members;
DROP TABLE "groups";
DROP TABLE api_tokens;
DROP TABLE users;
