// Test worker for pool.test.ts: behaves as each message asks.
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', (msg: { kind: string; value?: number }) => {
  if (msg.kind === 'echo') parentPort!.postMessage({ doubled: (msg.value ?? 0) * 2 });
  else if (msg.kind === 'hang') for (;;);
  else if (msg.kind === 'exit') process.exit(3);
  else if (msg.kind === 'throw')
    setTimeout(() => {
      throw new Error('boom');
    });
});
