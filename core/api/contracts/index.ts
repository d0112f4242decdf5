import {
  collectionsCreateContract,
  collectionsDeleteContract,
  collectionsGetContract,
  collectionsListContract,
  collectionsRenameContract,
} from './collections.ts';
import { statusContract } from './status.ts';

/** Every method of the API: the one list the dispatcher, the carriers and the client share. */
export const contracts = {
  status: statusContract,
  'collections.list': collectionsListContract,
  'collections.get': collectionsGetContract,
  'collections.create': collectionsCreateContract,
  'collections.rename': collectionsRenameContract,
  'collections.delete': collectionsDeleteContract,
} as const;

export type Contracts = typeof contracts;
export type MethodName = keyof Contracts;
export const METHOD_NAMES = Object.keys(contracts) as MethodName[];

export * from './collections.ts';
export * from './status.ts';
