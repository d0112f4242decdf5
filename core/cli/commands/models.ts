import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { ResultOf } from '../../contract/contract.ts';
import type { Contracts, ModelInfo, ModelProgressEvent } from '../../contract/methods/index.ts';
import type { CliContext, CliIO } from '../context.ts';
import { formatBytes, table } from '../format.ts';
import { addCommands, command, required } from '../command.ts';

type Result<M extends keyof Contracts> = ResultOf<Contracts[M]>;

const PHASE: Record<ModelProgressEvent['phase'], string> = {
  download: 'Downloading',
  verify: 'Verifying  ',
  copy: 'Copying    ',
  hash: 'Hashing    ',
};

/** A byte progress bar per phase (download, verify, copy, hash) on a terminal; nothing elsewhere. */
async function bytesProgress(stream: NodeJS.WriteStream | null | undefined) {
  // Loaded only where a bar is drawn, so that starting the CLI does not load it.
  const cliProgress = stream ? (await import('cli-progress')).default : null;
  let bar: SingleBar | null = null;
  let phase = '';
  return {
    onEvent(e: ModelProgressEvent) {
      if (!stream || !cliProgress) return;
      if (e.phase !== phase) {
        bar?.stop();
        phase = e.phase;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${PHASE[e.phase]} {bar} {percentage}% | {done}/{size} | {speed}/s | ETA {eta_formatted}`,
            barCompleteChar: '█',
            barIncompleteChar: '░',
            hideCursor: true,
            clearOnComplete: true,
            fps: 8,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(1, e.bytesTotal), 0, { done: '0 B', size: formatBytes(e.bytesTotal), speed: '—' });
      }
      const secs = e.elapsedMs / 1000;
      bar?.setTotal(Math.max(1, e.bytesTotal));
      bar?.update(e.bytesDone, {
        done: formatBytes(e.bytesDone),
        size: formatBytes(e.bytesTotal),
        speed: secs > 0 ? formatBytes(e.bytesDone / secs) : '—',
      });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

function params(n: number | null): string {
  if (n === null) return '?';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)}M`;
  return `${Math.round(n / 1e3)}K`;
}

function renderList(r: Result<'models.list'>): string {
  if (r.models.length === 0) {
    return [
      'No models yet. Import a GGUF file with: pustaka models import FILE.gguf',
      'or download a recommended one: pustaka models catalog',
    ].join('\n');
  }
  const t = table(
    ['Name', 'Kind', 'Role', 'Arch', 'Params', 'Quant', 'Context', 'Size', 'Source'],
    r.models.map((m) => [
      m.fileExists ? m.name : `${m.name} (file missing)`,
      m.kind,
      m.activeFor.join(', ') || '—',
      m.architecture ?? '?',
      params(m.parameters),
      m.quantization ?? '?',
      m.contextLength ?? '?',
      formatBytes(m.sizeBytes),
      m.linked ? 'linked' : m.source,
    ]),
  );
  return `${t}\n\nChat model: ${r.active.chat ?? 'none (answers are extractive)'} · embedding model for new collections: ${r.active.embedding ?? 'built-in'}\nFolder: ${r.modelsDir}`;
}

function renderModelLine(m: ModelInfo): string {
  return `${m.name}: ${m.architecture ?? '?'} ${params(m.parameters)} ${m.quantization ?? ''}, ${formatBytes(m.sizeBytes)}, ${m.kind} model${m.linked ? `, linked at ${m.path}` : ''}`;
}

function renderInspect(r: Result<'models.inspect'>): string {
  const f = r.file;
  const rows: [string, string][] = [
    ['File', `${f.path} (${formatBytes(f.sizeBytes)}, GGUF v${f.ggufVersion}, ${f.tensors} tensors)`],
    ['Name', f.name ?? '—'],
    ['Kind', f.kind],
    ['Architecture', f.architecture ?? '?'],
    ['Parameters', `${params(f.parameters)} (${f.parameters.toLocaleString('en-US')})`],
    ['Quantization', f.quantization ?? '?'],
    ['Context', f.contextLength === null ? '?' : `${f.contextLength} tokens (training)`],
    [
      'Shape',
      `${f.layers ?? '?'} layers · ${f.embeddingLength ?? '?'}-d · ${f.heads ?? '?'} heads (${f.headsKv ?? '?'} KV)`,
    ],
    ['Tokenizer', `${f.tokenizer ?? '?'}, ${f.vocabSize ?? '?'} tokens`],
    [
      'Chat template',
      f.chatTemplate ? `yes (${f.chatTemplate.length} chars)` : 'none (a generic format would be used)',
    ],
  ];
  if (r.model) {
    rows.push(
      [
        'Registered',
        `as "${r.model.name}" (id ${r.model.id}), ${r.model.linked ? 'linked' : r.model.source}`,
      ],
      ['SHA-256', r.model.sha256],
      ['Roles', r.model.activeFor.join(', ') || '—'],
    );
  }
  for (const i of f.issues) rows.push([i.severity === 'error' ? 'Error' : 'Warning', i.message]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function renderCatalog(list: Result<'models.catalog'>): string {
  const t = table(
    ['Name', 'Role', 'Quant', 'Size', 'Licence', 'Hash', 'Installed'],
    list.map((e) => [
      e.name,
      e.role,
      e.quantization,
      e.sizeBytes === null ? '?' : `~${formatBytes(e.sizeBytes)}`,
      e.licence,
      e.verified ? 'verified' : 'unknown',
      e.installed ? 'yes' : '',
    ]),
  );
  return `${t}\n\nDownload with: pustaka models download NAME (entries without a known hash need --allow-unverified).\nOffline: copy the file from another machine and run: pustaka models import FILE.gguf`;
}

function renderHardware(r: Result<'models.hardware'>): string {
  const h = r.hardware;
  const gpu = h.gpu
    ? `${h.gpu}${h.gpuName ? ` (${h.gpuName})` : ''}, ${formatBytes(h.vramFree)} free of ${formatBytes(h.vramTotal)}${h.unifiedMemory ? ', unified memory' : ''}`
    : `none${h.probeError ? ` (${h.probeError})` : ''}`;
  const lines = [
    `CPU     ${h.cpuModel}, ${h.cpuCores} threads (every model uses all of them)`,
    `RAM     ${formatBytes(h.ramFree)} free of ${formatBytes(h.ramTotal)}`,
    `GPU     ${gpu}`,
    `System  ${h.platform} ${h.arch}`,
  ];
  if (r.plans.length) {
    lines.push('', 'How each model would load:');
    for (const p of r.plans) lines.push(`  ${p.model}: ${p.reason}`);
  }
  return lines.join('\n');
}

const modelRef = (ref: string) => (/^\d+$/.test(ref) ? Number(ref) : ref);
const progress = (io: CliIO) => bytesProgress(io.progressStream);

const list = command({
  name: 'list',
  isDefault: true,
  description: 'list the models and which one chats / embeds',
  method: 'models.list',
  params: () => ({}),
  human: renderList,
});

const inspect = command({
  name: 'inspect',
  args: [['<model>', 'a model name or id, or a path to any GGUF file']],
  description: "read a model's header: architecture, size, quantization, context, chat template",
  method: 'models.inspect',
  params: ([model]: [string]) => ({ model }),
  human: renderInspect,
});

const importModel = command({
  name: 'import',
  args: [['<file>', 'a .gguf model file']],
  options: [
    ['--link', 'use the file where it is instead of copying it into the data folder'],
    ['--name <name>', 'the name to use for it (default: the file name)'],
  ],
  description: 'import a GGUF model file (checked first; copied unless --link)',
  method: 'models.import',
  params: ([file]: [string], o: { link?: boolean; name?: string }) => ({
    path: file,
    link: Boolean(o.link),
    ...(o.name ? { name: o.name } : {}),
  }),
  events: progress,
  human: (r, _a, o) => {
    const head = r.alreadyPresent ? 'Already imported' : o.link ? 'Linked' : 'Imported';
    return `${head} ${renderModelLine(r.model)}.\nUse it with: pustaka models use ${r.model.name} --for ${r.model.kind}`;
  },
});

const catalog = command({
  name: 'catalog',
  description: 'recommended models that `models download` can fetch',
  method: 'models.catalog',
  params: () => ({}),
  human: renderCatalog,
});

const download = command({
  name: 'download',
  args: [['<name>', 'a catalog name (see `pustaka models catalog`)']],
  options: [['--allow-unverified', 'accept a file whose SHA-256 the catalog does not know']],
  description: 'download a catalog model (resumable, hash-checked), then import it',
  method: 'models.download',
  params: ([name]: [string], o: { allowUnverified?: boolean }) => ({
    name,
    allowUnverified: Boolean(o.allowUnverified),
  }),
  events: progress,
  human: (r) => {
    const how = r.alreadyPresent
      ? 'Already installed'
      : `Downloaded${r.resumedFrom ? ` (resumed at ${formatBytes(r.resumedFrom)})` : ''}${r.verified ? ', SHA-256 verified' : ', hash NOT verified'}:`;
    return `${how} ${renderModelLine(r.model)}.`;
  },
});

const use = command({
  name: 'use',
  args: [['<model>', 'model name or id']],
  options: [required('--for <role>', 'chat | embedding')],
  description: 'choose the chat model, or the embedding model new collections use',
  method: 'models.use',
  params: ([ref]: [string], o: { for: string }) => {
    if (o.for !== 'chat' && o.for !== 'embedding') {
      throw new ApiCallError({ code: 'invalid_params', message: '--for must be chat or embedding' });
    }
    return { model: modelRef(ref), role: o.for };
  },
  human: (m, _a, o) => `${m.name} now ${o.for === 'chat' ? 'answers questions' : 'embeds new collections'}.`,
});

const remove = command({
  name: 'remove',
  args: [['<model>', 'model name or id']],
  options: [['-y, --yes', 'do not ask for confirmation']],
  description: 'forget a model and delete its copied file (a linked file is left alone)',
  method: 'models.remove',
  prepare: async (client, [ref]: [string], o: { yes?: boolean }) => {
    if (o.yes) return null;
    const m = (await client.call('models.inspect', { model: modelRef(ref) })).model;
    if (!m) throw new ApiCallError({ code: 'not_found', message: `no model "${ref}"` });
    return m;
  },
  confirm: (_a, _o, m) =>
    m && {
      question: `Remove model "${m.name}" and ${m.linked ? 'forget it (the linked file stays)' : `delete ${formatBytes(m.sizeBytes)}`}?`,
      refusal: `removing "${m.name}" needs confirmation: add --yes`,
      declined: 'Nothing removed.\n',
    },
  params: ([ref]) => ({ model: modelRef(ref) }),
  human: (r) =>
    `Removed "${r.model.name}"${r.fileDeleted ? ` and deleted its file (${formatBytes(r.model.sizeBytes)})` : ' (its file was left in place)'}.`,
});

const hardware = command({
  name: 'hardware',
  description: 'CPU, RAM and GPU found, and how each model would be loaded',
  method: 'models.hardware',
  params: () => ({}),
  human: renderHardware,
});

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('GGUF models: import, download, choose, remove');
  addCommands(models, ctx, [list, inspect, importModel, catalog, download, use, remove, hardware]);
}
