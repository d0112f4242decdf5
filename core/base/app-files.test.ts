import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFile, appRoot, ENTRY_SOURCES, entryPoint, runsFromSource, type EntryName } from './app-files.ts';

describe('app files, from the source tree', () => {
  it('the root is the folder with package.json, migrations and the model catalog', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('pustaka');
    expect(fs.statSync(appFile('migrations')).isDirectory()).toBe(true);
    expect(fs.existsSync(appFile('models', 'catalog.json'))).toBe(true);
    expect(appFile('build', 'pg-template')).toBe(path.join(appRoot(), 'build', 'pg-template'));
  });

  it('runs from source here, so every entry point is an existing source file', () => {
    expect(runsFromSource()).toBe(true);
    for (const name of Object.keys(ENTRY_SOURCES) as EntryName[]) {
      const file = entryPoint(name);
      expect(file).toBe(path.join(appRoot(), ENTRY_SOURCES[name]));
      expect(fs.existsSync(file), `${name}: ${file}`).toBe(true);
    }
  });
});
