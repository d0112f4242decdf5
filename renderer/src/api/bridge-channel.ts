import type { EngineState, PustakaBridge } from '../../../core/contract/bridge.ts';
import type { MessageChannelLike } from '../../../core/contract/message-transport.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser (headless mode). */
    pustaka?: PustakaBridge;
  }
}

/** The Electron carrier: the preload's bridge. An engine restart closes the channel it was on. */
export function bridgeChannel(bridge: PustakaBridge): MessageChannelLike {
  return {
    send: (message) => bridge.send(message),
    onMessage: (listener) => bridge.onMessage(listener),
    onClose: (listener) =>
      bridge.onEngineState((state: EngineState) => {
        if (state.status === 'restarting' || state.status === 'failed') {
          listener(state.message ?? `the engine is ${state.status}`);
        }
      }),
  };
}
