import type { MenuItemConstructorOptions } from 'electron';

/** The application menu: standard roles only; everything the app does lives in its UI. */
export function menuTemplate(
  platform: NodeJS.Platform,
  actions: { showWindow(): void },
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Show Pustaka', click: () => actions.showWindow() },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
}
