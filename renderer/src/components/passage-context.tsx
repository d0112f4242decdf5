import { createContext, useContext } from 'react';

export interface PassageRef {
  documentId: number;
  chunkId?: number | null;
}

/** Lets any screen open a passage in its document (citation chips, search hits, the library). */
export const PassageContext = createContext<(ref: PassageRef) => void>(() => {});

export function useOpenPassage(): (ref: PassageRef) => void {
  return useContext(PassageContext);
}
