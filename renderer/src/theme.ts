export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'pustaka.theme';

export function loadTheme(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

/** `system` follows prefers-color-scheme through CSS; light/dark pin it with data-theme. */
export function applyTheme(choice: ThemeChoice): void {
  if (choice === 'system') {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem(KEY);
  } else {
    document.documentElement.dataset.theme = choice;
    localStorage.setItem(KEY, choice);
  }
}
