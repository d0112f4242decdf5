// utilityProcess entry, bundled to build/app/engine-host.js (scripts/build.ts) with the engine:
// the desktop app runs the same built JavaScript as the CLI, no TypeScript loader. Source maps
// first (the engine is imported after), so that crash reports name the TypeScript sources.
process.setSourceMapsEnabled(true);
const { startEngineHost } = await import('./engine-host.ts');
startEngineHost();
