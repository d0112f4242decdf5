-- 0008 reserved (issue 9: app lock, audit); replace this body and rename the file when used.
SELECT 1;
