import type { MessageChannelMain, MessagePortMain, UtilityProcess } from 'electron';
import { createApiClient, type ApiClient, type Transport } from '../../core/contract/client.ts';
import { createMessageTransport } from '../../core/contract/message-transport.ts';
import type { ServerMessage } from '../../core/contract/protocol.ts';
import type { EngineProcess } from './engine-supervisor.ts';

/** Adapts Electron's UtilityProcess to what the supervisor needs. */
export function asEngineProcess(child: UtilityProcess): EngineProcess {
  return {
    postMessage: (message, transfer) => child.postMessage(message, transfer as MessagePortMain[] | undefined),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', listener),
    kill: () => void child.kill(),
  };
}

/**
 * A fresh channel to the engine: one end goes to the engine with a `connect` message, the
 * other is returned (for a window, or for main's own client).
 */
export function openEnginePort(engine: EngineProcess, channel: MessageChannelMain): MessagePortMain {
  engine.postMessage({ type: 'connect' }, [channel.port1]);
  return channel.port2;
}

/** Main's own typed client over its port (the idle signal); never the renderer's traffic. */
export function clientOverPort(port: MessagePortMain): {
  client: ApiClient;
  transport: Transport;
  close(): void;
} {
  const { transport, close } = createMessageTransport({
    send: (m) => port.postMessage(m),
    onMessage(listener) {
      const l = (e: { data: unknown }) => listener(e.data as ServerMessage);
      port.on('message', l);
      return () => void port.off('message', l);
    },
    onClose(listener) {
      const l = () => listener('the engine closed the port');
      port.on('close', l);
      return () => void port.off('close', l);
    },
  });
  port.start();
  return {
    client: createApiClient(transport),
    transport,
    close: () => {
      close('closed');
      port.close();
    },
  };
}
