import { runCli } from './program.ts';

// Ctrl-C aborts the running call; the engine then closes its stores cleanly before exit.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

process.exitCode = await runCli(process.argv.slice(2), undefined, controller.signal);
