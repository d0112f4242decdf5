import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/temp-dir.ts';
import { extractFile } from '../extract.ts';
import { writeFixture } from '../../../../test/support/extractor-fixtures.ts';

const MD = `---
title: "Onboarding Guide"
tags: [hr]
---
Welcome text.

# Setup

Install the **tools**:

\`\`\`bash
# not a heading: inside a code block
npm install
\`\`\`

## Accounts \`sso\` and [mail](https://example.com)

- one
- two

Setext heading
--------------

| a | b |
|---|---|
| 1 | 2 |

# Second chapter
Last line.
`;

describe('Markdown files', () => {
  it('turns headings into paths and keeps code blocks, lists and tables as written', async () => {
    const dir = tempDir();
    const doc = await extractFile(writeFixture(dir, 'guide.md', MD));
    expect(doc.title).toBe('Onboarding Guide');
    expect(doc.fileType).toBe('markdown');
    expect(doc.sections).toEqual([
      { headingPath: [], text: 'Welcome text.', page: null },
      {
        headingPath: ['Setup'],
        text: 'Install the **tools**:\n\n```bash\n# not a heading: inside a code block\nnpm install\n```',
        page: null,
      },
      { headingPath: ['Setup', 'Accounts sso and mail'], text: '- one\n- two', page: null },
      { headingPath: ['Setup', 'Setext heading'], text: '| a | b |\n|---|---|\n| 1 | 2 |', page: null },
      { headingPath: ['Second chapter'], text: 'Last line.', page: null },
    ]);
  });

  it('uses the first heading as the title when there is no front matter, and handles CRLF', async () => {
    const dir = tempDir();
    const doc = await extractFile(
      writeFixture(dir, 'notes.markdown', '# Rapat Mingguan\r\n\r\nAgenda:\r\n* satu\r\n'),
    );
    expect(doc.title).toBe('Rapat Mingguan');
    expect(doc.sections).toEqual([{ headingPath: ['Rapat Mingguan'], text: 'Agenda:\n* satu', page: null }]);
  });
});
