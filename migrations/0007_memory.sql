-- 0007_memory.sql
-- Memory and CRM (issue 8): what fact extraction, conflict resolution, client proposals and the
-- incremental (watermarked) conversation analysis need beyond 0001.
-- Runs inside one transaction (the migrator wraps it); no BEGIN/COMMIT here.

-- ---------------------------------------------------------------------------
-- memory_facts: a fact is (subject, attribute, value). Two active facts about the same
-- subject and a single-valued attribute ('location', 'visa status', …) with different values
-- are a conflict: the older one is superseded by the newer.
-- ---------------------------------------------------------------------------
ALTER TABLE memory_facts
  ADD COLUMN attribute text NOT NULL DEFAULT 'note' CHECK (btrim(attribute) <> ''),
  ADD COLUMN value     text NOT NULL DEFAULT '',
  -- 'patterns' (deterministic extractors), 'model' (local Llama, JSON schema) or 'user'
  ADD COLUMN method    text NOT NULL DEFAULT 'patterns' CHECK (method IN ('patterns', 'model', 'user'));

CREATE INDEX memory_facts_subject_attr_idx ON memory_facts (lower(subject), attribute) WHERE status = 'active';
CREATE INDEX memory_facts_last_seen_idx    ON memory_facts (last_seen_at DESC);

-- ---------------------------------------------------------------------------
-- memory_entity_mentions -- why: which messages mention an entity. Makes re-analysis
-- idempotent (mention_count = distinct messages) and backs "mentioned in ≥ 2 messages"
-- client proposals.
-- ---------------------------------------------------------------------------
CREATE TABLE memory_entity_mentions (
  entity_id       bigint NOT NULL REFERENCES memory_entities (id) ON DELETE CASCADE,
  message_id      bigint NOT NULL REFERENCES messages (id)        ON DELETE CASCADE,
  conversation_id bigint NOT NULL REFERENCES conversations (id)   ON DELETE CASCADE,
  surface         text NOT NULL,          -- the text as written ("Pak Budi", "Rp 5.000.000")
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_id, message_id)
);
COMMENT ON TABLE memory_entity_mentions IS 'Entity mentions per message (idempotent analysis, client proposals, evidence).';

CREATE INDEX memory_entity_mentions_message_idx      ON memory_entity_mentions (message_id);
CREATE INDEX memory_entity_mentions_conversation_idx ON memory_entity_mentions (conversation_id);

-- ---------------------------------------------------------------------------
-- memory_analysis -- why: the watermark of the post-conversation analysis, per conversation
-- and per method, so the background queue and the nightly worker only read new messages.
-- ---------------------------------------------------------------------------
CREATE TABLE memory_analysis (
  conversation_id     bigint PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  -- highest message id read by the deterministic extractors / by the model
  patterns_message_id bigint,
  model_message_id    bigint,
  patterns_at         timestamptz,
  model_at            timestamptz,
  facts               integer NOT NULL DEFAULT 0 CHECK (facts >= 0),
  entities            integer NOT NULL DEFAULT 0 CHECK (entities >= 0),
  tokens_in           integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out          integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  error               text,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE memory_analysis IS 'How far each conversation has been analysed for memory (by patterns, by the model), with totals.';
