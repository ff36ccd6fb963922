/**
 * scripts/check-doc-paths.mjs on fixture trees: a comment in src/ naming a file that is not in the
 * repository is reported at its line, names of other projects' files and URLs are not, and
 * docs/DESIGN.md must name only existing files and every file of src/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-doc-paths.mjs', import.meta.url));
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (paths relative to the tree root) and runs the check on them. */
function check(files: Record<string, string>): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'check-doc-paths-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, '--root', root], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

const DESIGN = '# map\n`stage.ts` `reader.ts` `apis/*.ts` `protocol/`\n';

describe('check-doc-paths', () => {
  it('passes comments naming existing files, other projects\' files and URLs', () => {
    const { status, out } = check({
      'docs/DESIGN.md': DESIGN,
      'scripts/demo.mjs': '',
      'src/consumer/stage.ts': [
        '/**',
        ' * Decoded by protocol/reader.ts (see ./stage.ts and scripts/demo.mjs; built as dist/consumer/stage.js),',
        ' * as Node.js does; the spec is FetchRequest.json, the tool kafka-topics.sh,',
        ' * https://github.com/apache/kafka/blob/trunk/clients/src/main/resources/common/message/gone.ts',
        ' */',
        "export const url = 'not/a/comment.ts';",
        '',
      ].join('\n'),
      'src/protocol/reader.ts': '// the reader, used by stage.ts\n',
      'src/protocol/apis/fetch.ts': '',
    });
    assert.equal(status, 0, out);
    assert.match(out, /check-doc-paths: 0 problems/);
  });

  it('reports a comment naming a file that is not there, at the line naming it', () => {
    const { status, out } = check({
      'docs/DESIGN.md': DESIGN,
      'src/consumer/stage.ts': '/**\n * The stage.\n *\n * See consumer/partition-reader.ts and fetch-scheduler.ts.\n */\nexport {};\n',
      'src/protocol/reader.ts': '',
      'src/protocol/apis/fetch.ts': '',
    });
    assert.equal(status, 1);
    assert.match(out, /src\/consumer\/stage\.ts:4 names consumer\/partition-reader\.ts, which is not in the repository/);
    assert.match(out, /src\/consumer\/stage\.ts:4 names fetch-scheduler\.ts, which is not in the repository/);
    assert.match(out, /check-doc-paths: 2 problems/);
  });

  it('reports DESIGN.md naming a missing file and a src file DESIGN.md does not name', () => {
    const { status, out } = check({
      'docs/DESIGN.md': `${DESIGN}\`gone.ts\` \`gone/\`\n`,
      'src/consumer/stage.ts': '',
      'src/consumer/unmapped.ts': '',
      'src/protocol/reader.ts': '',
      'src/protocol/apis/fetch.ts': '',
    });
    assert.equal(status, 1);
    assert.match(out, /docs\/DESIGN\.md names `gone\.ts`, which is not in the repository/);
    assert.match(out, /docs\/DESIGN\.md names `gone\/`, which is not in the repository/);
    assert.match(out, /src\/consumer\/unmapped\.ts is not in docs\/DESIGN\.md's file map/);
    assert.match(out, /check-doc-paths: 3 problems/);
  });
});
