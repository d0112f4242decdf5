// Sandboxed preload, bundled to one CommonJS file (build/electron/preload.cjs): exposes only
// window.pustaka (PustakaBridge). ipcRenderer and IPC events stay here.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadBridge, IPC } from './preload-bridge.ts';

export function exposeBridge(): void {
  const bridge = createPreloadBridge({
    // Only main can post to this page's IPC channels; the port comes in the event, not the page.
    onPort: (listener) => ipcRenderer.on(IPC.port, (event) => listener(event.ports)),
    onEngineState: (listener) => ipcRenderer.on(IPC.state, (_event, state: unknown) => listener(state)),
    requestPort: () => ipcRenderer.send(IPC.connect),
  });
  contextBridge.exposeInMainWorld('pustaka', {
    ...bridge,
    // Dropped files: the page gets their paths for import, never the File's contents from here.
    pathForFile: (file: unknown) => {
      try {
        return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
      } catch {
        return '';
      }
    },
  });
}

exposeBridge();
