/**
 * Step 4: enrich memory from the conversations since the last run (facts, entities, client
 * proposals), with the model when there is budget left, with the pattern extractors otherwise.
 */
import { enrichMemory } from '../../../assistant/memory/analyze.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';
import { workerChatModel } from '../generate-json.ts';

export async function memoryStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  throwIfAborted(signal);
  const useModel = (await workerChatModel(engine)) !== null && !ctx.overBudget();
  const since = new Date(Date.now() - ctx.options.days * 86_400_000);
  const r = await enrichMemory(engine, {
    since,
    signal,
    useModel,
    budget: { tokens: Math.max(0, ctx.remainingTokens()) },
  });
  ctx.spend(r.tokensIn, r.tokensOut);
  const notes = [
    `${r.conversations} conversation(s), ${r.entities} entit${r.entities === 1 ? 'y' : 'ies'}, ${r.proposals} client proposal(s) (${r.method})`,
    r.notice ?? '',
  ].filter(Boolean);
  return { factsExtracted: r.facts, note: notes.join('; ') };
}
