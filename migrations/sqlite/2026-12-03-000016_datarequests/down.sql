DROP TABLE datarequest_comments;
DROP TABLE datarequests;
