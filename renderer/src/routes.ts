import { useCallback, useEffect, useState } from 'react';

export const SCREENS = [
  { id: 'chat', label: 'Chat', key: '1' },
  { id: 'library', label: 'Library', key: '2' },
  { id: 'search', label: 'Search', key: '3' },
  { id: 'golden', label: 'Golden answers', key: '4' },
  { id: 'clients', label: 'Clients', key: '5' },
  { id: 'analytics', label: 'Analytics', key: '6' },
  { id: 'worker', label: 'Worker', key: '7' },
  { id: 'models', label: 'Models', key: '8' },
  { id: 'settings', label: 'Settings', key: '9' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

function parse(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return SCREENS.find((s) => s.id === id)?.id ?? 'chat';
}

/** The screen lives in the URL hash (`#/library`) so reloads and screenshots land on it. */
export function useRoute(): [ScreenId, (id: ScreenId) => void] {
  const [screen, setScreen] = useState<ScreenId>(() => parse(window.location.hash));
  useEffect(() => {
    const onHash = () => setScreen(parse(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = useCallback((id: ScreenId) => void (window.location.hash = `#/${id}`), []);
  return [screen, go];
}
