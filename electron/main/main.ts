// Electron main: a composition root of small modules, nothing else. It owns windows, menu, tray,
// the single-instance lock and the power signals; the engine runs in a supervised utilityProcess
// and each page gets its own MessagePort to it. Bundled to build/electron/main.mjs.
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
  type WebContents,
} from 'electron';
import type { EngineState } from '../../core/contract/bridge.ts';
import { registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { asEngineProcess, clientOverPort, openEnginePort } from './engine-link.ts';
import { createEngineSupervisor } from './engine-supervisor.ts';
import { createIdleMonitor, type IdleMonitor } from './idle-monitor.ts';
import { menuTemplate } from './menu.ts';
import { shellPaths } from './paths.ts';
import { IPC } from '../preload/preload-bridge.ts';
import { APP_ORIGIN, applySecurity, hardenSession, isTrustedSender } from './security.ts';
import { claimSingleInstance } from './single-instance.ts';
import { trayMenuTemplate } from './tray.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

function startShell(): void {
  const paths = shellPaths({
    mainUrl: import.meta.url,
    packaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  });
  let win: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let idle: IdleMonitor | null = null;
  let own: ReturnType<typeof clientOverPort> | null = null;
  const pages = new Set<WebContents>();

  const showWindow = () => {
    if (!app.isReady()) return;
    win ??= createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  // A second launch focuses this one; the data dir can only be open once anyway.
  if (!claimSingleInstance(app, showWindow)) return;

  registerAppScheme(protocol);
  applySecurity(app, {
    confirmExternal: async (url) => {
      const { response } = await dialog.showMessageBox({
        type: 'question',
        buttons: ['Open in browser', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: 'Open this link in your web browser?',
        detail: url,
      });
      return response === 0;
    },
    openExternal: (url) => shell.openExternal(url),
  });

  const hostArgs = [
    '--data-dir',
    app.getPath('userData'),
    ...(paths.templateDir ? ['--template-dir', paths.templateDir] : []),
    ...(paths.migrationsDir ? ['--migrations-dir', paths.migrationsDir] : []),
  ];

  const sendPort = (page: WebContents) => {
    const engine = supervisor.current();
    if (engine && !page.isDestroyed())
      page.postMessage(IPC.port, null, [openEnginePort(engine, new MessageChannelMain())]);
  };

  const supervisor = createEngineSupervisor({
    spawn: () =>
      asEngineProcess(
        utilityProcess.fork(paths.engineEntry, hostArgs, { serviceName: 'Pustaka engine', stdio: 'inherit' }),
      ),
    onState: (state: EngineState) => {
      for (const page of pages) if (!page.isDestroyed()) page.send(IPC.state, state);
      if (state.status === 'failed')
        dialog.showErrorBox('Pustaka cannot start', state.message ?? 'The engine failed.');
    },
    onReady: (engine) => {
      own?.close();
      own = clientOverPort(openEnginePort(engine, new MessageChannelMain()));
      for (const page of pages) sendPort(page);
    },
  });

  // The page asks for its port once loaded (and again after a reload); only our own page may.
  ipcMain.on(IPC.connect, (event) => {
    if (!isTrustedSender(event.senderFrame)) return;
    const page = event.sender;
    if (!pages.has(page)) {
      pages.add(page);
      page.once('destroyed', () => pages.delete(page));
    }
    page.send(IPC.state, supervisor.state());
    sendPort(page);
  });

  function createWindow(): BrowserWindow {
    const stateFile = path.join(app.getPath('userData'), 'window-state.json');
    const state = loadWindowState(
      stateFile,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const w = new BrowserWindow({
      ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
      width: state.width,
      height: state.height,
      minWidth: 640,
      minHeight: 480,
      show: false,
      title: 'Pustaka',
      icon: paths.icon,
      webPreferences: {
        preload: paths.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false,
        spellcheck: false,
        devTools: !app.isPackaged,
      },
    });
    if (state.maximized) w.maximize();
    trackWindowState(w, stateFile);
    w.webContents.on('before-input-event', () => idle?.noteActivity());
    w.once('ready-to-show', () => w.show());
    w.on('closed', () => (win = null));
    void w.loadURL(`${APP_ORIGIN}/index.html`);
    return w;
  }

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    serveAppProtocol(protocol, paths.rendererDir);
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, { showWindow })));
    tray = new Tray(nativeImage.createFromPath(paths.icon));
    tray.setToolTip('Pustaka');
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate({ showWindow, quit: () => app.quit() })));
    tray.on('click', showWindow);
    supervisor.start();
    // The nightly worker's scheduler input; through the untyped transport so the shell does not
    // depend on the method's contract (an engine without it answers unknown_method, ignored).
    idle = createIdleMonitor({
      powerMonitor,
      send: (signal) => void own?.transport('worker.activity', signal, {}),
    });
    showWindow();
  });

  // Closing the window keeps the app (imports, nightly work) running in the tray.
  app.on('window-all-closed', () => {});
  app.on('activate', showWindow);

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    event.preventDefault();
    quitting = true;
    idle?.stop();
    own?.close();
    // The engine closes its stores before the app exits (a kill only after a grace period).
    void supervisor.stop().finally(() => {
      tray?.destroy();
      app.quit();
    });
  });
}

startShell();
