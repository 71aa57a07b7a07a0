DROP TABLE login_failures;
DROP TABLE user_sessions;
