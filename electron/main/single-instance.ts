import type { App } from 'electron';

/**
 * One Pustaka per user: the engine holds the data-dir lock, so a second app would only fail to
 * open it. The second launch quits at once and the first one comes to the front instead.
 */
export function claimSingleInstance(
  app: Pick<App, 'requestSingleInstanceLock' | 'quit' | 'on'>,
  onSecondInstance: () => void,
): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondInstance());
  return true;
}
