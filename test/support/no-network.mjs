// Preloaded (node --import) into a process whose network use is under test: every way out (fetch,
// sockets, DNS) throws, and each attempt is written to the file named by PUSTAKA_NET_GUARD_LOG,
// with one "loaded <threadId>" line per thread it runs in (worker threads inherit --import).
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import { threadId } from 'node:worker_threads';

const log = process.env.PUSTAKA_NET_GUARD_LOG;
if (!log) throw new Error('no-network.mjs needs PUSTAKA_NET_GUARD_LOG');
const note = (line) => fs.appendFileSync(log, `${line}\n`);
note(`loaded ${threadId}`);

const block = (what) =>
  function blocked(...args) {
    note(`blocked ${what} ${String(args[0]).slice(0, 120)}`);
    throw new Error(`network access blocked (${what})`);
  };
globalThis.fetch = async (...args) => block('fetch')(...args);
net.Socket.prototype.connect = block('socket.connect');
dns.lookup = block('dns.lookup');
dns.promises.lookup = async (...args) => block('dns.promises.lookup')(...args);
