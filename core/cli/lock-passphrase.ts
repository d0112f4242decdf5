import fs from 'node:fs';
import { PustakaError } from '../base/errors.ts';

/** Where a passphrase may come from, in the order they are tried. */
export interface PassphraseSources {
  /** A file holding the passphrase (one trailing newline is dropped). */
  file?: string | undefined;
  /** The value of PUSTAKA_PASSPHRASE, read by the caller. */
  env?: string | undefined;
  /** Ask on the terminal when nothing else gave one. */
  prompt?: ((question: string) => Promise<string>) | null;
}

export function readPassphraseFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // The error names the file and the reason, never its content.
    throw new PustakaError(
      'invalid_params',
      `cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const passphrase = text.replace(/\r?\n$/, '');
  if (!passphrase) throw new PustakaError('invalid_params', `the passphrase file ${file} is empty`);
  return passphrase;
}

/** Reads a line from the terminal without echoing it; Ctrl-C cancels. */
export function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    process.stderr.write(question);
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new PustakaError('cancelled', 'cancelled'));
        if (ch === '\u0004') return value ? finish() : finish(new PustakaError('cancelled', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch === '\u001b')
          return; // an escape sequence (arrow keys …): drop the rest of it
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A terminal prompt when both ends are a terminal, otherwise none. */
export function terminalPrompt(): ((question: string) => Promise<string>) | null {
  return process.stdin.isTTY && process.stderr.isTTY ? promptHidden : null;
}

/** The passphrase from a file, the environment or the terminal; null when none of them has one. */
export async function findPassphrase(
  sources: PassphraseSources,
  question = 'Passphrase: ',
): Promise<string | null> {
  if (sources.file) return readPassphraseFile(sources.file);
  if (sources.env) return sources.env;
  if (sources.prompt) return sources.prompt(question);
  return null;
}
