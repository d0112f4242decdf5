-- 0009_mail.sql
-- Documents inside other files: the messages of a mailbox (.mbox) and the attachments of a
-- message (.eml, .msg, or a message in a mailbox) are documents of their own. Such a "member" row
-- keeps, in metadata:
--   container  the path of the file on disk that holds it (what re-import, remove-missing and the
--              index rebuild go by: a member has no file of its own)
--   parent     the source_path of the document it sits in (the mailbox, or the message an
--              attachment came with)
-- and a message (member or file) keeps its headers under metadata.email (messageId, threadId, from,
-- to, cc, date, subject, …). No new columns: the relations travel with metadata in collection
-- exports. These indexes serve the look-ups an import and the document viewer make.
-- Runs inside one transaction (the migrator wraps it); no BEGIN/COMMIT here.

-- A container's members, for re-import (what is there already) and pruning (what has gone).
CREATE INDEX documents_parent_idx ON documents (collection_id, (metadata ->> 'parent'))
  WHERE metadata ? 'parent';

-- A message already indexed from another mailbox or file (duplicates are found by Message-ID).
CREATE INDEX documents_message_id_idx ON documents (collection_id, ((metadata -> 'email') ->> 'messageId'))
  WHERE metadata ? 'email';

-- The messages of one thread, listed together.
CREATE INDEX documents_thread_idx ON documents (collection_id, ((metadata -> 'email') ->> 'threadId'))
  WHERE metadata ? 'email';
