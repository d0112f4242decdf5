import { createContext, useContext } from 'react';

/** Tells the app the engine just locked (so it shows the lock screen at once). */
export const LockContext = createContext<() => void>(() => {});

export function useLocked(): () => void {
  return useContext(LockContext);
}
