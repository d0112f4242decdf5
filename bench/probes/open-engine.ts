// Opens the engine once in a fresh process and reports what a user would feel at start-up.
const [dataDir, mode] = process.argv.slice(2);
// Loading the engine's modules (through tsx here: the built CLI loads them faster, see cli-startup).
const tImport = performance.now();
const { openEngine } = await import('../../core/startup/open-engine.ts');
const importMs = performance.now() - tImport;
const t0 = performance.now();
const engine = await openEngine({ dataDir: dataDir!, ...(mode === 'initdb' ? { templateDir: null } : {}) });
const openMs = performance.now() - t0;
const rssBytes = process.memoryUsage.rss();

// Write latency with the durability hook (fsync of the WAL after each commit).
const writes: number[] = [];
for (let i = 0; i < 50; i++) {
  const t = performance.now();
  await engine.db.query("INSERT INTO audit_logs (action) VALUES ('bench')");
  writes.push(performance.now() - t);
}
writes.sort((a, b) => a - b);
await engine.close();
process.stdout.write(
  JSON.stringify({
    origin: engine.db.cluster.origin,
    openMs,
    importMs,
    phases: engine.startupPhases,
    processMs: performance.now() + 0, // ms since this process started
    rssBytes,
    writeP50: writes[25],
    writeP99: writes[49],
  }),
);
