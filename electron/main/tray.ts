import type { MenuItemConstructorOptions } from 'electron';

/** The tray icon's menu: the app keeps indexing and the nightly worker runs with no window open. */
export function trayMenuTemplate(actions: {
  showWindow(): void;
  quit(): void;
}): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Pustaka', click: () => actions.showWindow() },
    { type: 'separator' },
    { label: 'Quit Pustaka', click: () => actions.quit() },
  ];
}
