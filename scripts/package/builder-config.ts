// The parts of electron-builder.yml that decide which files an installer carries: `files`,
// `asar`/`asarUnpack`, `extraResources`, `extraMetadata`. Read here so the packaged-app smoke test
// (test/package-smoke.test.ts) assembles exactly what the real packager would.
import fs from 'node:fs';
import yaml from 'js-yaml';

export interface ExtraResource {
  from: string;
  to: string;
  /** Globs relative to `from`; electron-builder's default is everything. */
  filter: string[];
}

export interface PackageConfig {
  files: string[];
  asarUnpack: string[];
  /** electron-builder unpacks, by itself, every package holding native code (`asar.smartUnpack`). */
  smartUnpack: boolean;
  extraResources: ExtraResource[];
  extraMetadata: Record<string, unknown>;
}

/** The raw shape as written in electron-builder.yml (only the keys read here). */
export interface RawBuilderConfig {
  files?: string | string[];
  asar?: boolean | { smartUnpack?: boolean };
  asarUnpack?: string | string[];
  extraResources?: string | Array<string | { from?: string; to?: string; filter?: string | string[] }>;
  extraMetadata?: Record<string, unknown>;
  [key: string]: unknown;
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

export function readBuilderConfig(file: string): RawBuilderConfig {
  const parsed = yaml.load(fs.readFileSync(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object') throw new Error(`${file}: not an electron-builder config`);
  return parsed as RawBuilderConfig;
}

/** Normalises the config the way electron-builder reads it; refuses what this emulation cannot honour. */
export function packageConfig(raw: RawBuilderConfig): PackageConfig {
  if (raw.asar === false)
    throw new Error('electron-builder config: asar is off; the smoke test checks an asar package');
  const extraResources = (
    raw.extraResources === undefined
      ? []
      : Array.isArray(raw.extraResources)
        ? raw.extraResources
        : [raw.extraResources]
  ).map((entry): ExtraResource => {
    if (typeof entry === 'string') return { from: entry, to: entry, filter: ['**/*'] };
    if (!entry.from) throw new Error('electron-builder config: an extraResources entry has no "from"');
    const filter = list(entry.filter);
    return { from: entry.from, to: entry.to ?? entry.from, filter: filter.length ? filter : ['**/*'] };
  });
  return {
    files: list(raw.files),
    asarUnpack: list(raw.asarUnpack),
    smartUnpack: typeof raw.asar === 'object' ? raw.asar.smartUnpack !== false : true,
    extraResources,
    extraMetadata: raw.extraMetadata ?? {},
  };
}
