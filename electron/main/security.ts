import type { App, Session, WebContents, WebFrameMain } from 'electron';
import { contentSecurityPolicy } from '../../core/server/csp.ts';

/** The app's own pages are served from this origin (see app-protocol.ts), never from a file URL. */
export const APP_SCHEME = 'pustaka';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app';
  } catch {
    return false;
  }
}

/** IPC is answered only for our own top-level page: not an iframe, not another origin. */
export function isTrustedSender(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined): boolean {
  return Boolean(frame && frame.parent === null && isAppUrl(frame.url));
}

export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export interface SecurityDeps {
  /** Asks the user before a link leaves the app; true to open it in the browser. */
  confirmExternal(url: string): Promise<boolean>;
  openExternal(url: string): Promise<void> | void;
}

async function offerExternal(url: string, deps: SecurityDeps): Promise<void> {
  if (isExternalLink(url) && (await deps.confirmExternal(url))) await deps.openExternal(url);
}

/** Every page: no navigation away from the app, no new windows, no webviews. */
export function hardenWebContents(contents: WebContents, deps: SecurityDeps): void {
  const block = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    void offerExternal(url, deps);
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    void offerExternal(url, deps);
    return { action: 'deny' };
  });
}

/** The session: every permission refused, the CSP on every response. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const csp = contentSecurityPolicy({ websocket: false });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}

/** Applied to every web contents the app ever creates, including ones we did not expect. */
export function applySecurity(app: Pick<App, 'on'>, deps: SecurityDeps): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, deps));
}
