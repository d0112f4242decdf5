import os from 'node:os';

/** Who runs this process: the uid, or the user name on Windows (no uids there). */
export function currentUser(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USERNAME ?? '';
  }
}
