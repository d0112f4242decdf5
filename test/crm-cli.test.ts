/** The CLI as a user runs it: clients, ask --client, memory, sessions with CSV export, stats. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { runPustaka } from './support/cli.ts';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-crm-cli-'));
const data = path.join(root, 'data');
const run = (...args: string[]) => runPustaka(['--data-dir', data, ...args]);
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await run('--json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
};

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('pustaka clients | ask --client | memory | sessions | stats', () => {
  // Each command opens the data folder afresh: a few seconds apiece.
  it('works end to end from the command line', async () => {
    const added = await json<{ id: number; kind: string }>('clients', 'add', 'PT Maju Jaya', '--company');
    expect(added.kind).toBe('company');
    const asked = await json<{ conversationId: number }>(
      'ask',
      'Pak Budi Santoso of PT Maju Jaya needs a KITAS renewal before 12 March 2026, budget Rp 15.000.000.',
      '--client',
      'pt maju jaya',
    );
    const bad = await run('ask', 'hello', '--client', 'Nobody');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no client named "Nobody"');

    const facts = await run('memory', 'facts');
    expect(facts.code).toBe(0);
    expect(facts.stdout).toMatch(/Budi Santoso +budget +IDR 15,000,000 +active +0\.60 +patterns/u);

    const started = await run(
      'sessions',
      'start',
      '--client',
      'PT Maju Jaya',
      '--conversation',
      String(asked.conversationId),
      '--at',
      '2026-03-02T09:00:00Z',
    );
    expect(started.stdout).toContain('Started session 1 for PT Maju Jaya at 2026-03-02 09:00 UTC.');
    expect(
      (await run('sessions', 'stop', '--at', '2026-03-02T10:15:00Z', '--note', 'KITAS, sponsor')).stdout,
    ).toContain('Stopped session 1: 1h 15m.');
    const csvFile = path.join(root, 'hours.csv');
    expect((await run('sessions', 'export', '--csv', csvFile)).stdout).toContain('Wrote 1 session to');
    const rows = parse(fs.readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        client: 'PT Maju Jaya',
        conversation_id: String(asked.conversationId),
        duration_seconds: '4500',
        hours: '1.25',
        description: 'KITAS, sponsor',
      }),
    ]);

    const text = await run('stats', '--days', '7');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Answer paths');
    expect(text.stdout).toMatch(/extractive +1 +100\.0%/u);
    expect(text.stdout).toContain('Knowledge gaps');
    expect(text.stdout).toContain('Clients: 1 active');
    expect(text.stdout).toContain('tracked in the period: 0s'); // the session was in March
  }, 300_000);
});
