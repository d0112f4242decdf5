import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The real electron module needs its binary, which never exists here: a stub stands in.
const app = Object.assign(new EventEmitter(), {
  requestSingleInstanceLock: vi.fn(() => true),
  quit: vi.fn(),
});
vi.mock('electron', () => ({ app }));

const { claimSingleInstance } = await import('./single-instance.ts');
const { applySecurity, hardenSession, isTrustedSender, isAppUrl } = await import('./security.ts');
const { loadWindowState, saveWindowState, DEFAULT_WINDOW_STATE, trackWindowState } =
  await import('./window-state.ts');
const { appResponse } = await import('./app-protocol.ts');
const { shellPaths } = await import('./paths.ts');
const { menuTemplate } = await import('./menu.ts');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-shell-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('single instance', () => {
  it('the first instance keeps running and is focused when a second one starts', async () => {
    const { app: stub } = await import('electron');
    const focus = vi.fn();
    expect(claimSingleInstance(stub, focus)).toBe(true);
    stub.emit('second-instance', {}, ['pustaka'], '/');
    expect(focus).toHaveBeenCalledOnce();
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('a second instance quits at once', () => {
    app.requestSingleInstanceLock.mockReturnValueOnce(false);
    const focus = vi.fn();
    expect(claimSingleInstance(app as never, focus)).toBe(false);
    expect(app.quit).toHaveBeenCalledOnce();
  });
});

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('falls back to defaults for a missing, corrupt or implausible file', () => {
    const file = path.join(tmp, 'window-state.json');
    expect(loadWindowState(file, screen)).toEqual(DEFAULT_WINDOW_STATE);
    for (const bad of [
      '{not json',
      '[]',
      'null',
      '{"width":"big","height":800}',
      '{"width":10,"height":10}',
    ]) {
      fs.writeFileSync(file, bad);
      expect(loadWindowState(file, screen), bad).toEqual(DEFAULT_WINDOW_STATE);
    }
  });

  it('saves and restores bounds, dropping a position on a display that is gone', () => {
    const file = path.join(tmp, 'sub', 'window-state.json');
    saveWindowState(file, { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    expect(loadWindowState(file, screen)).toEqual({
      x: 100,
      y: 50,
      width: 1000,
      height: 700,
      maximized: true,
    });
    saveWindowState(file, { x: 2500, y: 50, width: 1000, height: 700, maximized: false });
    expect(loadWindowState(file, screen)).toEqual({ width: 1000, height: 700, maximized: false });
    saveWindowState(file, { x: 10, y: 10, width: 3000, height: 2000, maximized: false });
    expect(loadWindowState(file, screen)).toMatchObject({ width: 1920, height: 1080 });
  });

  it('saves when the window closes', () => {
    const file = path.join(tmp, 'tracked.json');
    const win = Object.assign(new EventEmitter(), {
      getNormalBounds: () => ({ x: 5, y: 6, width: 800, height: 600 }),
      isMaximized: () => false,
    });
    trackWindowState(win, file);
    win.emit('close');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      x: 5,
      y: 6,
      width: 800,
      height: 600,
      maximized: false,
    });
  });
});

/** A stand-in for WebContents: records handlers so the test can drive them. */
function fakeContents() {
  const contents = Object.assign(new EventEmitter(), {
    openHandler: null as null | ((d: { url: string }) => { action: string }),
    setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
      contents.openHandler = h;
    },
  });
  return contents;
}

function navigate(contents: EventEmitter, event: string, url: string): boolean {
  let prevented = false;
  contents.emit(event, { preventDefault: () => (prevented = true) }, url);
  return prevented;
}

describe('security rules', () => {
  const setup = (answer: boolean) => {
    const shellApp = new EventEmitter();
    const opened: string[] = [];
    const asked: string[] = [];
    applySecurity(shellApp as never, {
      confirmExternal: async (url) => (asked.push(url), answer),
      openExternal: (url) => void opened.push(url),
    });
    const contents = fakeContents();
    shellApp.emit('web-contents-created', {}, contents);
    return { contents, opened, asked };
  };

  it('blocks navigation away from the app and webviews; in-app navigation is allowed', async () => {
    const { contents, opened, asked } = setup(false);
    expect(navigate(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(contents, 'will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(navigate(contents, 'will-navigate', 'pustaka://app/index.html#/search')).toBe(false);
    expect(navigate(contents, 'will-attach-webview', 'pustaka://app/')).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual(['https://evil.example/']); // file: is never offered
    expect(opened).toEqual([]);
  });

  it('denies window.open, opening http(s) links in the browser only after confirmation', async () => {
    const yes = setup(true);
    expect(yes.contents.openHandler!({ url: 'https://docs.example/kitas' })).toEqual({ action: 'deny' });
    expect(yes.contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    await new Promise((r) => setImmediate(r));
    expect(yes.opened).toEqual(['https://docs.example/kitas']);
    const no = setup(false);
    no.contents.openHandler!({ url: 'https://docs.example/kitas' });
    await new Promise((r) => setImmediate(r));
    expect(no.asked).toHaveLength(1);
    expect(no.opened).toEqual([]);
  });

  it('accepts IPC only from the app’s own top-level page', () => {
    expect(isTrustedSender({ url: 'pustaka://app/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'pustaka://app/index.html', parent: {} as never })).toBe(false);
    expect(isTrustedSender({ url: 'https://app/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'pustaka://evil/index.html', parent: null })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/index.html', parent: null })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  it('refuses every permission and sets the CSP on responses', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers:
      ((d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    hardenSession({
      setPermissionRequestHandler: (h: typeof request) => (request = h),
      setPermissionCheckHandler: (h: typeof check) => (check = h),
      webRequest: { onHeadersReceived: (h: typeof headers) => (headers = h) },
    } as never);
    const granted = vi.fn();
    request!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
    headers!({ responseHeaders: { 'X-Other': ['1'] } }, ({ responseHeaders }) => {
      expect(responseHeaders['X-Other']).toEqual(['1']);
      expect(responseHeaders['Content-Security-Policy']![0]).toContain("default-src 'self'");
      expect(responseHeaders['Content-Security-Policy']![0]).not.toContain('ws://');
    });
  });
});

describe('app protocol', () => {
  it('serves the built UI with the CSP and nothing outside it', async () => {
    const ui = path.join(tmp, 'ui');
    fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
    fs.writeFileSync(path.join(ui, 'assets', 'a.js'), 'x');
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    const index = appResponse(ui, 'pustaka://app/index.html');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toBe('<!doctype html>');
    expect(appResponse(ui, 'pustaka://app/assets/a.js').headers.get('content-type')).toContain('javascript');
    expect(appResponse(ui, 'pustaka://app/%2e%2e/secret.txt').status).toBe(404);
    expect(appResponse(ui, 'pustaka://app/..%2fsecret.txt').status).toBe(404);
    expect(await appResponse(ui, 'pustaka://app/search').text()).toBe('<!doctype html>');
  });
});

describe('paths and menu', () => {
  it('finds the app files from the bundled main, and the packaged resources', () => {
    const dev = shellPaths({
      mainUrl: 'file:///repo/build/electron/main.mjs',
      packaged: false,
      resourcesPath: '/x',
    });
    expect(dev).toMatchObject({
      root: path.resolve('/repo'),
      preload: path.resolve('/repo/build/electron/preload.cjs'),
      engineEntry: path.resolve('/repo/build/app/engine-host.js'),
      rendererDir: path.resolve('/repo/build/renderer'),
    });
    expect(dev.templateDir).toBeUndefined();
    const packaged = shellPaths({
      mainUrl: 'file:///opt/Pustaka/resources/app.asar/build/electron/main.mjs',
      packaged: true,
      resourcesPath: '/opt/Pustaka/resources',
    });
    expect(packaged.templateDir).toBe(path.join('/opt/Pustaka/resources', 'pg-template'));
    expect(packaged.migrationsDir).toBe(path.join('/opt/Pustaka/resources', 'migrations'));
  });

  it('the macOS menu starts with the app menu', () => {
    expect(menuTemplate('darwin', { showWindow: () => {} })[0]).toEqual({ role: 'appMenu' });
    expect(menuTemplate('linux', { showWindow: () => {} })[0]).toMatchObject({ label: 'File' });
  });
});
