import {
  collectionsCreateContract,
  collectionsDeleteContract,
  collectionsGetContract,
  collectionsListContract,
  collectionsRenameContract,
  collectionsSetEmbedderContract,
} from './collections.ts';
import {
  documentsChunksContract,
  documentsDeleteContract,
  documentsGetContract,
  documentsListContract,
} from './documents.ts';
import { importResumeContract, importRunContract, importWatchContract, jobsListContract } from './imports.ts';
import { statusContract } from './status.ts';

/** Every method of the API: the one list the dispatcher, the carriers and the client share. */
export const contracts = {
  status: statusContract,
  'collections.list': collectionsListContract,
  'collections.get': collectionsGetContract,
  'collections.create': collectionsCreateContract,
  'collections.rename': collectionsRenameContract,
  'collections.delete': collectionsDeleteContract,
  'collections.setEmbedder': collectionsSetEmbedderContract,
  'import.run': importRunContract,
  'import.resume': importResumeContract,
  'import.watch': importWatchContract,
  'jobs.list': jobsListContract,
  'documents.list': documentsListContract,
  'documents.get': documentsGetContract,
  'documents.chunks': documentsChunksContract,
  'documents.delete': documentsDeleteContract,
} as const;

export type Contracts = typeof contracts;
export type MethodName = keyof Contracts;
export const METHOD_NAMES = Object.keys(contracts) as MethodName[];

export * from './collections.ts';
export * from './documents.ts';
export * from './imports.ts';
export * from './status.ts';
