/**
 * Typed error codes shared by every layer. They travel across IPC/WebSocket as data
 * (`{ ok: false, code, message, details }`), because Electron IPC keeps only an Error's message.
 */
export const ERROR_CODES = [
  'invalid_params',
  'unknown_method',
  'not_found',
  'conflict',
  'data_dir_in_use',
  'data_dir_unusable',
  'schema_too_new',
  'migration_edited',
  'storage_error',
  'cancelled',
  // the app lock is on and the engine is locked, or a passphrase was refused (see details.reason)
  'locked',
  // collections.db (the search index, derived data) was found damaged: it is set aside and rebuilt
  // from the source files; searches find only what is rebuilt so far
  'index_rebuilding',
  // too many calls at once (the server's or the connection's bound is full): nothing was done;
  // retry after details.retryAfterMs
  'busy',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
