// A stand-in for the ingest worker for the tests of a reader that dies inside a mailbox: the real
// file-task.ts, except that the worker thread exits (as an out-of-memory or native crash would end
// it) when it starts handing over the text of a message whose path contains CRASH_MARK, or of an
// attachment whose name contains ATTACHMENT_CRASH_MARK, or of a message file's own message (an
// .eml, not a mailbox's member) whose text contains EML_CRASH_MARK.
import { parentPort } from 'node:worker_threads';

export const CRASH_MARK = 'bulk-3@';
export const ATTACHMENT_CRASH_MARK = 'crash-here';
export const EML_CRASH_MARK = 'pecahkan-pembaca';

if (parentPort) {
  const port = parentPort;
  const post = port.postMessage.bind(port);
  let reading: string | null = null;
  port.postMessage = (msg: unknown, transfer?: Parameters<typeof post>[1]) => {
    const data = (
      msg as {
        __pustakaProgress?: { step?: string; member?: { path: string }; chunks?: { text: string }[] };
      }
    ).__pustakaProgress;
    if (data?.step === 'member') reading = data.member!.path;
    if (data?.step === 'member-done') reading = null;
    const attachment = reading?.split('#attachment/')[1];
    if (data?.step === 'part' && attachment?.includes(ATTACHMENT_CRASH_MARK)) process.exit(3);
    if (data?.step === 'part' && !attachment && reading?.includes(CRASH_MARK)) process.exit(3);
    const own = data?.step === 'part' && reading === null;
    if (own && data.chunks?.some((c) => c.text.includes(EML_CRASH_MARK))) process.exit(3);
    post(msg, transfer);
  };
  await import('../../core/knowledge/import/file-task.ts');
}
