import fs from 'node:fs';
import { appFile } from './app-files.ts';

const pkg = JSON.parse(fs.readFileSync(appFile('package.json'), 'utf8')) as {
  version: string;
};

export const APP_INFO = { name: 'Pustaka', version: pkg.version } as const;
