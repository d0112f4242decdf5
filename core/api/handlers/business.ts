import {
  clientEntities,
  confirmClient,
  createClient,
  deleteClient,
  getClient,
  listClients,
  rejectClient,
  updateClient,
} from '../../business/clients.ts';
import { createProject, deleteProject, listProjects, updateProject } from '../../business/projects.ts';
import { proposeClients } from '../../business/proposals.ts';
import {
  addSession,
  currentSession,
  deleteSession,
  exportSessions,
  listSessions,
  startSession,
  stopSession,
} from '../../business/sessions.ts';
import type { Handlers } from '../handler.ts';

/** The clients, projects and work sessions methods: thin adapters from validated params to the engine's modules. */
export const businessHandlers = {
  'clients.list': (p, { engine }) => listClients(engine.db, p),
  'clients.get': async (p, { engine }) => {
    const client = await getClient(engine.db, p.client);
    return {
      ...client,
      projectList: (await listProjects(engine.db, { client: client.id, limit: 1000, offset: 0 })).projects,
      entities: await clientEntities(engine.db, client.id),
    };
  },
  'clients.create': (p, { engine }) => createClient(engine.db, p),
  'clients.update': ({ client, ...fields }, { engine }) => updateClient(engine.db, client, fields),
  'clients.confirm': (p, { engine }) => confirmClient(engine.db, p.client),
  'clients.reject': (p, { engine }) => rejectClient(engine.db, p.client),
  'clients.delete': (p, { engine }) => deleteClient(engine.db, p.client),
  'clients.propose': (_p, { engine }) => proposeClients(engine.db),
  'projects.list': (p, { engine }) => listProjects(engine.db, p),
  'projects.create': ({ client, ...fields }, { engine }) => createProject(engine.db, client, fields),
  'projects.update': ({ id, ...fields }, { engine }) => updateProject(engine.db, id, fields),
  'projects.delete': (p, { engine }) => deleteProject(engine.db, p.id),
  'sessions.start': (p, { engine }) => startSession(engine.db, p),
  'sessions.stop': (p, { engine }) => stopSession(engine.db, p),
  'sessions.current': (_p, { engine }) => currentSession(engine.db),
  'sessions.add': (p, { engine }) => addSession(engine.db, p),
  'sessions.list': (p, { engine }) => listSessions(engine.db, p),
  'sessions.delete': (p, { engine }) => deleteSession(engine.db, p.id),
  'sessions.export': (p, { engine }) => exportSessions(engine.db, p),
} satisfies Partial<Handlers>;
