// Coverage totals per folder of src/ from an lcov file (what `node --test --experimental-test-coverage
// --test-reporter=lcov` writes). Node's own table lists files only; the per-folder totals here are what
// a reader wants first ("src/consumer is at 95 % of lines"). Totals are sums of counts, not averages of
// percentages, so a large file weighs more than a small one.
import { relative, sep } from 'node:path';

/**
 * Parses lcov records and returns one row per folder (src/<folder>, files directly in src/ as `src`)
 * plus an `all` row: lines found/hit, branches found/hit, functions found/hit.
 */
export function coverageByFolder(lcovText, root) {
  const folders = new Map();
  const add = (name, record) => {
    const total = folders.get(name) ?? { folder: name, lf: 0, lh: 0, brf: 0, brh: 0, fnf: 0, fnh: 0 };
    for (const key of ['lf', 'lh', 'brf', 'brh', 'fnf', 'fnh']) total[key] += record[key];
    folders.set(name, total);
  };
  let record = null;
  for (const line of lcovText.split('\n')) {
    if (line.startsWith('SF:')) {
      record = { file: relative(root, line.slice(3)).split(sep).join('/'), lf: 0, lh: 0, brf: 0, brh: 0, fnf: 0, fnh: 0 };
    } else if (record && line === 'end_of_record') {
      if (record.file.startsWith('src/')) {
        const parts = record.file.split('/');
        add(parts.length > 2 ? `src/${parts[1]}` : 'src', record);
        add('all', record);
      }
      record = null;
    } else if (record) {
      const m = /^(LF|LH|BRF|BRH|FNF|FNH):(\d+)$/.exec(line);
      if (m) record[m[1].toLowerCase()] = Number(m[2]);
    }
  }
  const rows = [...folders.values()].filter((r) => r.folder !== 'all').sort((a, b) => (a.folder < b.folder ? -1 : 1));
  const all = folders.get('all');
  return all ? [...rows, all] : rows;
}

const pct = (hit, found) => (found === 0 ? '   -  ' : `${((100 * hit) / found).toFixed(2).padStart(6)}`);

/** The rows of {@link coverageByFolder} as a text table. */
export function formatCoverageByFolder(rows) {
  const width = Math.max(6, ...rows.map((r) => r.folder.length));
  const lines = [`${'folder'.padEnd(width)} | line % | branch % | funcs %`];
  for (const r of rows) lines.push(`${r.folder.padEnd(width)} | ${pct(r.lh, r.lf)} |   ${pct(r.brh, r.brf)} |  ${pct(r.fnh, r.fnf)}`);
  return lines.join('\n');
}
