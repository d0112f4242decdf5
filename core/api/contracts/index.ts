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
import {
  modelsCatalogContract,
  modelsDownloadContract,
  modelsHardwareContract,
  modelsImportContract,
  modelsInspectContract,
  modelsListContract,
  modelsRemoveContract,
  modelsUseContract,
} from './models.ts';
import { searchContract } from './search.ts';
import {
  askContract,
  conversationsDeleteContract,
  conversationsGetContract,
  conversationsListContract,
  conversationsRenameContract,
  conversationsSearchContract,
} from './ask.ts';
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
  'models.list': modelsListContract,
  'models.inspect': modelsInspectContract,
  'models.import': modelsImportContract,
  'models.download': modelsDownloadContract,
  'models.catalog': modelsCatalogContract,
  'models.use': modelsUseContract,
  'models.remove': modelsRemoveContract,
  'models.hardware': modelsHardwareContract,
  search: searchContract,
  ask: askContract,
  'conversations.list': conversationsListContract,
  'conversations.get': conversationsGetContract,
  'conversations.rename': conversationsRenameContract,
  'conversations.delete': conversationsDeleteContract,
  'conversations.search': conversationsSearchContract,
} as const;

export type Contracts = typeof contracts;
export type MethodName = keyof Contracts;
export const METHOD_NAMES = Object.keys(contracts) as MethodName[];

export * from './collections.ts';
export * from './documents.ts';
export * from './imports.ts';
export * from './models.ts';
export * from './search.ts';
export * from './ask.ts';
export * from './status.ts';
