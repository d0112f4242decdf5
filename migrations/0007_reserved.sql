-- 0007 reserved (issue 8: memory, clients, analytics); replace this body and rename the file when used.
SELECT 1;
