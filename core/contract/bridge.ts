import type { ClientMessage, ServerMessage } from './protocol.ts';

/** What the engine host tells the UI about the engine process (Electron restarts it if it dies). */
export interface EngineState {
  status: 'starting' | 'ready' | 'restarting' | 'failed';
  /** Why it restarted or failed, in words the consultant can act on. */
  message?: string;
}

/**
 * What the Electron preload exposes to the page as `window.pustaka`: a message channel to the
 * engine (the same request/event/response/cancel messages as the WebSocket of `pustaka serve`)
 * and the engine's state. Nothing else of Electron or Node reaches the page.
 */
export interface PustakaBridge {
  send(message: ClientMessage): void;
  /** Returns a function that removes the listener. */
  onMessage(listener: (message: ServerMessage) => void): () => void;
  onEngineState(listener: (state: EngineState) => void): () => void;
  /** Where a file dropped on the page lives on disk ('' when it has no path); Electron only. */
  pathForFile?(file: unknown): string;
}
