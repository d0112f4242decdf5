-- 0009 reserved (issue 9: backups); replace this body and rename the file when used.
SELECT 1;
