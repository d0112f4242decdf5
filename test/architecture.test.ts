// The layer rules of .dependency-cruiser.cjs (run by `npm run lint`) on small trees made to break
// them: each deliberate violation must be caught, and the real tree must have none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const config = createRequire(import.meta.url)(path.join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;

const temps: string[] = [];
afterAll(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Cruises a throw-away tree of files (path → source) with the project's rules. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-layers-'));
  temps.push(dir);
  for (const [rel, src] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), src);
  }
  const roots = [...new Set(Object.keys(files).map((f) => f.split('/')[0]!))];
  const { options } = config;
  const result = await cruise(roots, {
    ...options,
    tsConfig: undefined,
    baseDir: dir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
  } as never);
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('layer rules (npm run lint:layers)', () => {
  it('pass on the real tree: no upward import, no cycle', async () => {
    const result = await cruise(['core', 'electron', 'renderer', 'bin', 'bench', 'scripts', 'test'], {
      ...config.options,
      baseDir: ROOT,
      validate: true,
      ruleSet: { forbidden: config.forbidden ?? [] },
    } as never);
    const output = result.output as ICruiseResult;
    expect(output.summary.violations).toEqual([]);
    expect(output.summary.totalCruised).toBeGreaterThan(300);
  });

  it('catch an upward import between layers', async () => {
    expect(
      await violations({
        'core/base/text.ts':
          "import { importPaths } from '../knowledge/import.ts';\nexport const t = importPaths;\n",
        'core/knowledge/import.ts': 'export const importPaths = 1;\n',
      }),
    ).toEqual(['layer-base: core/base/text.ts → core/knowledge/import.ts']);
  });

  it('catch an upward type-only import too', async () => {
    expect(
      await violations({
        'core/stores/pg.ts': "import type { Answer } from '../assistant/ask.ts';\nexport type A = Answer;\n",
        'core/assistant/ask.ts': 'export type Answer = string;\n',
      }),
    ).toEqual(['layer-stores: core/stores/pg.ts → core/assistant/ask.ts']);
  });

  it('catch an import cycle inside one layer', async () => {
    const found = await violations({
      'core/knowledge/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'core/knowledge/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    expect(found).toContain('no-cycle: core/knowledge/a.ts → core/knowledge/b.ts');
    expect(found.every((v) => v.startsWith('no-cycle:'))).toBe(true);
  });

  it('keep the contract a leaf, the UI on the contract and Electron main thin', async () => {
    expect(
      (
        await violations({
          'core/contract/method.ts': "import { x } from '../base/x.ts';\nexport const m = x;\n",
          'core/base/x.ts': 'export const x = 1;\n',
          'renderer/app.ts': "import { x } from '../core/base/x.ts';\nexport const y = x;\n",
          'electron/main/main.ts':
            "import { open } from '../../core/startup/open.ts';\nexport const z = open;\n",
          'core/startup/open.ts': 'export const open = 1;\n',
        })
      ).sort(),
    ).toEqual([
      'contract-is-a-leaf: core/contract/method.ts → core/base/x.ts',
      'electron-main-and-preload-are-thin: electron/main/main.ts → core/startup/open.ts',
      'layer-contract: core/contract/method.ts → core/base/x.ts',
      'ui-sees-only-the-contract: renderer/app.ts → core/base/x.ts',
    ]);
  });

  it('let the engine kernel name store types, never run store code', async () => {
    expect(
      await violations({
        'core/engine/engine.ts':
          "import type { Db } from '../stores/db.ts';\nimport { openDb } from '../stores/db.ts';\nexport type E = Db;\nexport const o = openDb;\n",
        'core/stores/db.ts': 'export type Db = number;\nexport const openDb = 1;\n',
      }),
    ).toEqual(['engine-kernel-holds-types-only: core/engine/engine.ts → core/stores/db.ts']);
  });

  it('keep test code out of what ships', async () => {
    expect(
      await violations({
        'core/models/load.ts': "import { tiny } from '../../test/support/tiny.ts';\nexport const l = tiny;\n",
        'test/support/tiny.ts': 'export const tiny = 1;\n',
      }),
    ).toEqual(['no-test-code-in-production: core/models/load.ts → test/support/tiny.ts']);
  });
});
