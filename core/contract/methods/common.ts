import { z } from 'zod';

/** No streamed events. */
export const noEvent = z.never();

/** Names a user can read and type: trimmed, no control characters. */
export const collectionName = z
  .string()
  .trim()
  .min(1, 'a collection name cannot be empty')
  .max(100, 'a collection name is at most 100 characters')
  .refine((s) => !/\p{Cc}/u.test(s), 'a collection name cannot contain control characters');

/** A collection is addressed by its id or (case-insensitively) by its name. */
export const collectionRef = z.union([z.number().int().positive(), collectionName]);
