#!/usr/bin/env node
// Runs the TypeScript CLI straight after `npm ci`, with no build step: tsx compiles on load.
import { register } from 'tsx/esm/api';

register();
await import('../core/cli/main.ts');
