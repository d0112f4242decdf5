// Electron gives a utilityProcess `process.parentPort`, and main hands it MessagePorts. Under plain
// Node (the packaged-app smoke test) this preload builds both over the child_process IPC channel
// (fork with serialization 'advanced'), multiplexed by a small envelope:
//   { kind: 'parent', data, port? }   parent port message; `port` (an id) travels as e.ports[0]
//   { kind: 'port', port, data }      a message on that port, either way
//   { kind: 'port-close', port }      that port closed, either way
// Only in the engine host: the marker variable is removed so the processes it forks do not see it.
import { EventEmitter } from 'node:events';

if (process.env.PUSTAKA_PARENT_PORT_SHIM === '1' && process.send) {
  delete process.env.PUSTAKA_PARENT_PORT_SHIM;
  const send = (message) => process.send?.(message);
  const ports = new Map();

  /** Electron's MessagePortMain: messages wait until start(); 'close' when either side closes. */
  class PortMain extends EventEmitter {
    constructor(id) {
      super();
      this.id = id;
      this.started = false;
      this.closed = false;
      this.queue = [];
    }
    postMessage(data) {
      if (!this.closed) send({ kind: 'port', port: this.id, data });
    }
    start() {
      this.started = true;
      for (const data of this.queue.splice(0)) this.emit('message', { data, ports: [] });
    }
    deliver(data) {
      if (this.closed) return;
      if (this.started) this.emit('message', { data, ports: [] });
      else this.queue.push(data);
    }
    close() {
      if (this.closed) return;
      send({ kind: 'port-close', port: this.id });
      this.closedByPeer();
    }
    closedByPeer() {
      this.closed = true;
      ports.delete(this.id);
      this.emit('close');
    }
  }

  const parentPort = new EventEmitter();
  parentPort.postMessage = (data) => send({ kind: 'parent', data });
  // Messages that arrive before the entry module listens wait for it, as Electron's do.
  const early = [];
  parentPort.on('newListener', (event) => {
    if (event === 'message')
      setImmediate(() => early.splice(0).forEach((e) => parentPort.emit('message', e)));
  });
  process.on('message', (m) => {
    if (m?.kind === 'parent') {
      const portList = [];
      if (m.port !== undefined) {
        const port = new PortMain(m.port);
        ports.set(m.port, port);
        portList.push(port);
      }
      const event = { data: m.data, ports: portList };
      if (parentPort.listenerCount('message') > 0) parentPort.emit('message', event);
      else early.push(event);
    } else if (m?.kind === 'port') ports.get(m.port)?.deliver(m.data);
    else if (m?.kind === 'port-close') ports.get(m.port)?.closedByPeer();
  });
  process.parentPort = parentPort;
}
