/** Linking a conversation to a client and project: the client's facts then reach its prompts. */
import type { ConversationSummary } from '../../contract/methods/ask.ts';
import { getConversationSummary } from './conversations.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';
import { resolveClientId } from '../../business/clients.ts';

type Id = number | bigint;

export async function linkConversation(
  db: Queryable,
  p: { conversationId: number; client?: number | string | null; projectId?: number | null },
): Promise<ConversationSummary> {
  const current = await getConversationSummary(db, p.conversationId);
  let clientId =
    p.client === undefined
      ? current.clientId
      : p.client === null
        ? null
        : await resolveClientId(db, p.client);
  let projectId = p.projectId === undefined ? current.projectId : p.projectId;
  if (p.projectId != null) {
    const [proj] = await db.query<{ client_id: Id; name: string }>(
      'SELECT client_id, name FROM projects WHERE id = $1',
      [p.projectId],
    );
    if (!proj)
      throw new PustakaError('not_found', `no project with id ${p.projectId}`, { projectId: p.projectId });
    if (p.client != null && clientId !== Number(proj.client_id)) {
      throw new PustakaError(
        'invalid_params',
        `project ${p.projectId} ("${proj.name}") belongs to another client`,
      );
    }
    clientId = Number(proj.client_id);
  }
  // Unlinking the client unlinks its project too; a new client drops a project of the old one.
  if (clientId === null) projectId = null;
  else if (projectId !== null && p.projectId === undefined && clientId !== current.clientId) projectId = null;
  await db.query('UPDATE conversations SET client_id = $2, project_id = $3 WHERE id = $1', [
    p.conversationId,
    clientId,
    projectId,
  ]);
  return getConversationSummary(db, p.conversationId);
}
