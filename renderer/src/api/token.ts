const KEY = 'pustaka.token';

/**
 * The bearer token of `pustaka serve` arrives once in the URL (`#token=…`). It is moved to
 * sessionStorage and wiped from the address bar so it does not linger in history or screenshots.
 */
export function takeToken(): string | null {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    const token = decodeURIComponent(match[1]);
    sessionStorage.setItem(KEY, token);
    history.replaceState(null, '', window.location.pathname + window.location.search + '#/chat');
    return token;
  }
  return sessionStorage.getItem(KEY);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
