// Issue 16, cause 4: hybrid search skips the vector half where it cannot change the result.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineClient } from './support/engine.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import type { ApiClient } from '../core/contract/client.ts';
import { writeFile } from './support/files.ts';
import {
  fuseCandidates,
  gatherCandidates,
  keywordSafePrefix,
  planSearch,
  rankCandidates,
} from '../core/knowledge/retrieval/search.ts';

describe('the vector half runs only where it can change the result', () => {
  let vRoot: string;
  let e: { engine: Engine; client: ApiClient };
  beforeAll(async () => {
    vRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-skip-'));
    // 80 notes that all match "firewall", more than a keyword list holds (depth 50).
    for (let i = 0; i < 80; i++)
      writeFile(
        path.join(vRoot, 'docs'),
        `note-${i}.txt`,
        `Note ${i}: the firewall rule ${i} opens port ${1000 + i} for the backup agent on host ${i}.`,
      );
    const engine = await openEngine({ dataDir: path.join(vRoot, 'data') });
    e = { engine, client: engineClient(engine) };
    await e.client.call('collections.create', { name: 'Notes', chunkSize: 64, chunkOverlap: 0 });
    await e.client.call('import.run', { collection: 'Notes', paths: [path.join(vRoot, 'docs')] });
  });
  afterAll(async () => {
    await e?.engine.close();
    fs.rmSync(vRoot, { recursive: true, force: true });
  });

  const embedded = () => e.engine.caches.get('embeddings').stats().size;

  it('skips embedding the query when keyword search fills the first places, with the same ranking', async () => {
    const before = embedded();
    const r = await e.client.call('search', { query: 'firewall rule', k: 10 });
    expect(embedded()).toBe(before); // the query was never embedded
    const plan = await planSearch(e.engine, { query: 'firewall rule', k: 10, mode: 'hybrid', diversity: 0 });
    const full = fuseCandidates(await gatherCandidates(e.engine, plan), 'hybrid');
    expect(r.items.map((i) => i.chunkId)).toEqual(full.slice(0, 10).map((s) => s.chunkId));
  });

  it('gives the same reranked result with the vector half skipped as with it run', async () => {
    // k = 50 over a full keyword list of 50: the reranker reads every place, 18–50 included, where
    // the vector list (weight 0.01) can still swap near neighbours of the keyword list.
    const plan = {
      ...(await planSearch(e.engine, { query: 'firewall rule', k: 10, mode: 'hybrid', diversity: 0 })),
      k: 50,
    };
    const skipped = await gatherCandidates(e.engine, plan, undefined, { vectorIfNeeded: true });
    expect(skipped.vectorSkippedSafe).toBe(17);
    const full = await gatherCandidates(e.engine, plan); // the vector half forced on
    expect(full.vector[0]!.hits.length).toBeGreaterThan(0);
    // The data is such that the vector half does move places below 17 when fused unreranked…
    const ids = (l: { chunkId: number }[]) => l.map((s) => s.chunkId);
    expect(ids(fuseCandidates(full, 'hybrid').slice(17, 50))).not.toEqual(
      ids(fuseCandidates(skipped, 'hybrid').slice(17, 50)),
    );
    // …and yet the reranked items are the same, whether it ran or not.
    const withSkip = await rankCandidates(e.engine, plan, skipped);
    const without = await rankCandidates(e.engine, plan, full);
    expect(withSkip.length).toBe(50);
    expect(ids(withSkip)).toEqual(ids(without));
    expect(withSkip.map((i) => i.score)).toEqual(without.map((i) => i.score));
  });

  it('scores every reranked item within 0..1, in order, below the reranked pool too', async () => {
    const r = await e.client.call('search', { query: 'firewall rule', k: 100 });
    expect(r.items.length).toBeGreaterThan(50); // past the reranked pool of 50
    const scores = r.items.map((i) => i.score);
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0);
    for (const s of scores) expect(s).toBeLessThanOrEqual(1);
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!);
  });

  it('runs it when keyword search finds little (a word in another form)', async () => {
    const before = embedded();
    const r = await e.client.call('search', { query: 'firewal', k: 10 });
    expect(embedded()).toBe(before + 1);
    expect(r.items.length).toBeGreaterThan(0);
  });

  it('never skips it at weights where it counts', async () => {
    const plan = await planSearch(e.engine, { query: 'firewall', k: 10, mode: 'hybrid', diversity: 0 });
    expect(keywordSafePrefix(plan, plan.depth)).toBe(17);
    expect(keywordSafePrefix(plan, plan.depth, () => ({ vector: 0.5, keyword: 0.5, rrfK: 60 }))).toBe(0);
    expect(keywordSafePrefix(plan, plan.depth - 1)).toBe(0);
    expect(keywordSafePrefix({ ...plan, diversity: 0.3 }, plan.depth)).toBe(0);
  });
});
