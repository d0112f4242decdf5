// Issue 16: the feature reranker over the fused top 50 — the query's words in the title and the
// section's heading, the query or an identifier as written, proximity — and search() with it on
// (the default for hybrid) and off.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineClient } from './support/engine.ts';
import { writeFile } from './support/files.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import type { ApiClient } from '../core/contract/client.ts';
import { features, rerank, rerankQuery } from '../core/knowledge/retrieval/rerank.ts';
import { fuseCandidates, gatherCandidates, planSearch } from '../core/knowledge/retrieval/search.ts';

const faq = {
  chunkId: 1,
  title: 'Frequently asked questions',
  headingPath: ['FAQ', 'Miscellaneous'],
  text: 'Can I configure it? The network is slow. A bridge over the river is not a network bridge you configure; configure the network first, then the bridge, then the network again.',
};
const other = {
  chunkId: 2,
  title: 'Firewall',
  headingPath: ['Firewall', 'Rules'],
  text: 'Rules apply to every network interface, a bridge included.',
};
const answer = {
  chunkId: 3,
  title: 'Network configuration',
  headingPath: ['Network configuration', 'Configuring a network bridge'],
  text: 'A bridge joins two interfaces into one segment: list both in /etc/network/interfaces under a br0 stanza and bring it up with ifup.',
};

describe('feature reranker', () => {
  it('puts the section titled and headed by the query above text that repeats its words', () => {
    const order = rerank('configure network bridge', [faq, other, answer]).map((r) => r.item.chunkId);
    expect(order[0]).toBe(3);
  });

  it('puts the chunk with the identifier whole first, Indonesian text included', () => {
    const parts = {
      chunkId: 1,
      title: 'Batas',
      headingPath: ['Batas'],
      text: 'Ukuran file maks: file terbesar, ukuran maks per file.',
    };
    const whole = {
      chunkId: 2,
      title: 'Pengaturan',
      headingPath: ['Pengaturan', 'Unggahan'],
      text: 'Nilai max_file_size membatasi ukuran unggahan.',
    };
    expect(rerank('max_file_size', [parts, whole])[0]!.item.chunkId).toBe(2);
  });

  it('finds an identifier only whole, not inside a longer name', () => {
    const inside = {
      chunkId: 1,
      title: 'URL',
      headingPath: ['URL'],
      text: 'Read pos.pathname from the location.',
    };
    const whole = {
      chunkId: 2,
      title: 'Paths',
      headingPath: ['Paths'],
      text: 'Call os.path.join on the parts.',
    };
    const q = rerankQuery('os.path');
    expect(features(q, inside, 0).identifier).toBe(0);
    expect(features(q, whole, 1).identifier).toBe(1);
    expect(
      features(rerankQuery('max_file_size'), { ...inside, text: 'set max_file_size_kb' }, 0).identifier,
    ).toBe(0);
  });

  it('scores within 0..1 and keeps the fused order on ties', () => {
    const same = [1, 2, 3].map((chunkId) => ({
      chunkId,
      title: 'X',
      headingPath: ['X'],
      text: 'nothing here',
    }));
    const out = rerank('zebra', same);
    expect(out.map((r) => r.item.chunkId)).toEqual([1, 2, 3]);
    for (const r of out) expect(r.score).toBeGreaterThanOrEqual(0);
    for (const r of rerank('configure network bridge', [faq, other, answer]))
      expect(r.score).toBeLessThanOrEqual(1);
  });
});

describe('search() with the reranker', () => {
  let root: string;
  let e: { engine: Engine; client: ApiClient };
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-rerank-'));
    const w = (rel: string, content: string) => writeFile(path.join(root, 'docs'), rel, content);
    // The FAQ repeats the query's words, scattered; BM25 over chunks ranks it first.
    w(
      'faq.md',
      `# FAQ\n\n## Miscellaneous\n\n${faq.text} Configure: network, bridge; bridge, network, configure.\n`,
    );
    w('firewall.md', `# Firewall\n\n## Rules\n\n${other.text}\n`);
    w('network.md', `# Network configuration\n\n## Configuring a network bridge\n\n${answer.text}\n`);
    const engine = await openEngine({ dataDir: path.join(root, 'data') });
    e = { engine, client: engineClient(engine) };
    await e.client.call('collections.create', { name: 'Net', chunkSize: 64, chunkOverlap: 0 });
    await e.client.call('import.run', { collection: 'Net', paths: [path.join(root, 'docs')] });
  });
  afterAll(async () => {
    await e?.engine.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reranks hybrid results by default and leaves the fused order with rerank: false', async () => {
    const query = 'configure network bridge';
    const on = await e.client.call('search', { query, k: 3 });
    const off = await e.client.call('search', { query, k: 3, rerank: false });
    expect(path.basename(off.items[0]!.sourcePath)).toBe('faq.md');
    expect(path.basename(on.items[0]!.sourcePath)).toBe('network.md');
    const plan = await planSearch(e.engine, { query, k: 3, mode: 'hybrid', diversity: 0 });
    const fused = fuseCandidates(await gatherCandidates(e.engine, plan), 'hybrid');
    expect(off.items.map((i) => i.chunkId)).toEqual(fused.slice(0, off.items.length).map((s) => s.chunkId));
  });
});
