import readline from 'node:readline/promises';

/** A yes/no question on the terminal; anything but y/yes is no. */
export async function askTTY(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
