import { ask } from '../../assistant/ask/ask.ts';
import {
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  searchConversations,
} from '../../assistant/conversations/conversations.ts';
import { linkConversation } from '../../assistant/conversations/link.ts';
import { analyzeNow } from '../../assistant/memory/analyze.ts';
import {
  deleteFact,
  listConflicts,
  listEntities,
  listFacts,
  rejectFact,
  updateFact,
} from '../../assistant/memory/queries.ts';
import {
  approveGolden,
  createGolden,
  deleteGolden,
  editGolden,
  getGolden,
  goldenHistory,
  listGolden,
  pinGolden,
  rejectGolden,
} from '../../assistant/golden/review.ts';
import { editNote, listNotes, reviewNote } from '../../assistant/golden/notes-review.ts';
import { resolveCollections } from '../../knowledge/retrieval/scope.ts';
import type { Handlers } from '../handler.ts';

/** The asking, conversations, golden answers, context notes and memory methods: thin adapters from validated params to the engine's modules. */
export const assistantHandlers = {
  ask: (p, { engine, signal, emit }) => ask(engine, p, { signal, onEvent: emit }),
  'conversations.list': (p, { engine }) => listConversations(engine.db, p),
  'conversations.get': (p, { engine }) => getConversation(engine.db, p.id),
  'conversations.rename': (p, { engine }) => renameConversation(engine.db, p.id, p.title),
  'conversations.delete': (p, { engine }) => deleteConversation(engine.db, p.id),
  'conversations.search': (p, { engine }) => searchConversations(engine.db, p.query, p.limit),
  'conversations.link': (p, { engine }) => linkConversation(engine.db, p),
  'memory.facts': (p, { engine }) => listFacts(engine.db, p),
  'memory.updateFact': (p, { engine }) => updateFact(engine.db, p),
  'memory.rejectFact': (p, { engine }) => rejectFact(engine.db, p.id),
  'memory.deleteFact': (p, { engine }) => deleteFact(engine.db, p.id),
  'memory.conflicts': (p, { engine }) => listConflicts(engine.db, p),
  'memory.entities': (p, { engine }) => listEntities(engine.db, p),
  'memory.analyze': (p, { engine, signal }) => analyzeNow(engine, p, signal),
  'golden.list': (p, { engine }) => listGolden(engine.db, p),
  'golden.get': (p, { engine }) => getGolden(engine.db, p.id),
  'golden.approve': async (p, { engine }) => ({ approved: await approveGolden(engine, p.ids) }),
  'golden.reject': (p, { engine }) => rejectGolden(engine, p.id, p.reason),
  'golden.edit': (p, { engine }) => editGolden(engine, p.id, p),
  'golden.pin': (p, { engine }) => pinGolden(engine, p.id, p.pinned),
  'golden.create': async (p, { engine }) => {
    const scope = p.collections
      ? (await resolveCollections(engine.db, engine.vectors, engine.caches.get('search'), p.collections)).map(
          (c) => c.id,
        )
      : null;
    return createGolden(engine, { ...p, collectionIds: scope });
  },
  'golden.history': (p, { engine }) => goldenHistory(engine.db, p.id),
  'golden.delete': (p, { engine }) => deleteGolden(engine, p.id),
  'notes.list': (p, { engine }) => listNotes(engine.db, p.status, p.limit),
  'notes.review': (p, { engine }) => reviewNote(engine.db, p.id, p.decision),
  'notes.edit': (p, { engine }) => editNote(engine.db, p),
} satisfies Partial<Handlers>;
