/** Clients, projects, time tracking and conversation links through the API (one engine for the file). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';

let engine: Engine;
let client: ApiClient;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-crm-'));

beforeAll(async () => {
  engine = await openEngine({ dataDir: path.join(root, 'data') });
  const dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('clients and projects', () => {
  it('creates, finds by name, updates, lists with filters and refuses bad input', async () => {
    const a = await client.call('clients.create', {
      name: 'PT Maju Jaya',
      kind: 'company',
      email: 'ops@maju.co.id',
    });
    const b = await client.call('clients.create', { name: 'Sarah Miller' });
    expect(a).toMatchObject({ status: 'active', kind: 'company', facts: 0, projects: 0, trackedSeconds: 0 });
    expect((await client.call('clients.get', { client: 'pt maju jaya' })).id).toBe(a.id);
    const archived = await client.call('clients.update', {
      client: b.id,
      status: 'archived',
      phone: '+62 812',
    });
    expect(archived).toMatchObject({ status: 'archived', phone: '+62 812' });
    expect((await client.call('clients.list', {})).clients.map((c) => c.name)).toEqual(['PT Maju Jaya']);
    expect((await client.call('clients.list', { status: 'all', query: 'maju' })).total).toBe(1);
    expect((await client.call('clients.list', { status: 'all', limit: 1, offset: 1 })).clients).toHaveLength(
      1,
    );
    await expect(client.call('clients.get', { client: 'Nobody' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(client.call('clients.create', { name: '  ' })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await client.call('clients.create', { name: 'sarah miller' });
    await expect(client.call('clients.get', { client: 'Sarah Miller' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('use the id'),
    });
  });

  it('projects keep a valid timeline and finish with an end date', async () => {
    const p = await client.call('projects.create', {
      client: 'PT Maju Jaya',
      name: 'KITAS renewals 2026',
      type: 'visa',
      startsOn: '2026-01-05',
      dueOn: '2026-03-12',
    });
    expect(p).toMatchObject({
      clientName: 'PT Maju Jaya',
      status: 'active',
      startsOn: '2026-01-05',
      dueOn: '2026-03-12',
    });
    await expect(client.call('projects.update', { id: p.id, dueOn: '2025-12-01' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringContaining('before the start'),
    });
    await expect(
      client.call('projects.create', { client: 1, name: 'x', dueOn: '12/03/2026' }),
    ).rejects.toMatchObject({
      code: 'invalid_params',
    });
    const done = await client.call('projects.update', { id: p.id, status: 'done' });
    expect(done.endedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/u);
    expect(
      (await client.call('projects.list', { client: 'PT Maju Jaya' })).projects.map((x) => x.id),
    ).toEqual([p.id]);
    expect((await client.call('projects.list', { status: 'active' })).total).toBe(0);
  });
});

describe('time tracking', () => {
  it('start/stop round-trips, one timer at a time, manual entries, filters and CSV', async () => {
    const maju = await client.call('clients.get', { client: 'PT Maju Jaya' });
    const project = maju.projectList[0]!;
    const s = await client.call('sessions.start', {
      projectId: project.id,
      note: 'sponsor letter',
      at: '2026-03-02T09:00:00Z',
    });
    expect(s).toMatchObject({
      clientId: maju.id,
      projectId: project.id,
      endedAt: null,
      description: 'sponsor letter',
    });
    expect((await client.call('sessions.current', {}))?.id).toBe(s.id);
    await expect(client.call('sessions.start', {})).rejects.toMatchObject({ code: 'conflict' });
    await expect(client.call('sessions.stop', { at: '2026-03-02T08:00:00Z' })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    const stopped = await client.call('sessions.stop', {
      at: '2026-03-02T10:30:00Z',
      note: 'sent, "urgent", to Imigrasi',
    });
    expect(stopped).toMatchObject({ durationSeconds: 5400, endedAt: '2026-03-02T10:30:00.000Z' });
    expect(stopped.description).toBe('sponsor letter\nsent, "urgent", to Imigrasi');
    expect(await client.call('sessions.current', {})).toBeNull();
    await expect(client.call('sessions.stop', {})).rejects.toMatchObject({ code: 'not_found' });

    await client.call('sessions.add', {
      client: 'PT Maju Jaya',
      startedAt: '2026-03-03T13:00:00Z',
      endedAt: '2026-03-03T13:45:00Z',
      billable: false,
    });
    await client.call('sessions.add', { startedAt: '2026-04-01T08:00:00Z', endedAt: '2026-04-01T08:10:00Z' });
    await expect(
      client.call('sessions.add', { startedAt: '2026-03-03T13:00:00Z', endedAt: '2026-03-03T12:00:00Z' }),
    ).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(
      client.call('sessions.add', { startedAt: 'yesterday-ish', endedAt: '2026-03-03T12:00:00Z' }),
    ).rejects.toMatchObject({ code: 'invalid_params' });

    const march = await client.call('sessions.list', {
      from: '2026-03-01',
      to: '2026-04-01',
      client: maju.id,
    });
    expect(march).toMatchObject({ total: 2, totalSeconds: 5400 + 2700 });
    expect(march.sessions.map((x) => x.startedAt)).toEqual([
      '2026-03-03T13:00:00.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
    expect((await client.call('clients.get', { client: maju.id })).trackedSeconds).toBe(8100);
    expect((await client.call('projects.list', {})).projects[0]!.trackedSeconds).toBe(5400);

    const file = path.join(root, 'sessions.csv');
    const exp = await client.call('sessions.export', { path: file });
    expect(exp).toMatchObject({ rows: 3, path: file, csv: null });
    const rows = parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.client, r.project, r.duration_seconds, r.hours, r.billable])).toEqual([
      ['PT Maju Jaya', 'KITAS renewals 2026', '5400', '1.50', 'true'],
      ['PT Maju Jaya', '', '2700', '0.75', 'false'],
      ['', '', '600', '0.17', 'true'],
    ]);
    expect(rows[0]!.description).toBe('sponsor letter\nsent, "urgent", to Imigrasi');
    const inline = await client.call('sessions.export', { from: '2026-04-01' });
    expect(inline.rows).toBe(1);
    expect(inline.csv!.split('\r\n')[0]).toBe(
      'id,client,project,conversation_id,started_at,ended_at,duration_seconds,hours,billable,description',
    );
    await expect(
      client.call('sessions.export', { path: path.join(root, 'missing', 'x.csv') }),
    ).rejects.toMatchObject({
      code: 'invalid_params',
    });

    // Deleting the client keeps its sessions, unlinked; the project goes with the client.
    await client.call('clients.delete', { client: maju.id });
    const after = await client.call('sessions.list', {});
    expect(after.total).toBe(3);
    expect(after.sessions.every((x) => x.clientId === null && x.projectId === null)).toBe(true);
    await client.call('sessions.delete', { id: after.sessions[0]!.id });
    expect((await client.call('sessions.list', {})).total).toBe(2);
  });
});

describe('conversation links', () => {
  it('links to a client and project, moves, and unlinks', async () => {
    const asked = await client.call('ask', { question: 'What is a KITAS?' });
    const c = await client.call('clients.create', { name: 'Budi Santoso' });
    const p = await client.call('projects.create', { client: c.id, name: 'KITAS' });
    const other = await client.call('clients.create', { name: 'Ibu Sari' });
    let conv = await client.call('conversations.link', {
      conversationId: asked.conversationId,
      projectId: p.id,
    });
    expect(conv).toMatchObject({ clientId: c.id, projectId: p.id });
    await expect(
      client.call('conversations.link', {
        conversationId: asked.conversationId,
        client: other.id,
        projectId: p.id,
      }),
    ).rejects.toMatchObject({ code: 'invalid_params' });
    conv = await client.call('conversations.link', {
      conversationId: asked.conversationId,
      client: other.id,
    });
    expect(conv).toMatchObject({ clientId: other.id, projectId: null });
    conv = await client.call('conversations.link', { conversationId: asked.conversationId, client: null });
    expect(conv).toMatchObject({ clientId: null, projectId: null });
    await expect(
      client.call('conversations.link', { conversationId: 999, client: null }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
