// Shared by corpus.test.ts and report.mjs: load the labelled corpora, keep the default-options rows,
// compare them with the engine's verdicts.
import fs from 'node:fs';

/** Rows whose label holds under the validator's default options. */
export function isDefaultRow(corpus, row) {
  const o = row.options;
  if (o === undefined || o === null) return true;
  const keys = Object.keys(o);
  if (keys.length === 0) return true;
  if (corpus === 'python-email-validator') {
    return keys.every((k) => k === 'check_deliverability' || k === 'test_environment');
  }
  if (corpus === 'hapi-isemail') return keys.every((k) => k === 'errorLevel');
  return false;
}

/** { corpusName: rows[] } for every *.jsonl in dir (a file URL or path), default rows only. */
export function loadCorpora(dir) {
  if (!fs.existsSync(dir)) {
    throw new Error(`Corpus directory not found: ${dir instanceof URL ? dir.pathname : dir} (expected test/corpus/data in the repository)`);
  }
  const out = {};
  const base = dir instanceof URL ? dir : new URL(`file://${dir.endsWith('/') ? dir : `${dir}/`}`);
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const corpus = f.slice(0, -'.jsonl'.length);
    const rows = fs
      .readFileSync(new URL(f, base), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
    out[corpus] = rows.filter((r) => isDefaultRow(corpus, r));
  }
  return out;
}

/** A row agrees when a valid label is not invalid, and an invalid label is not valid. */
export function agrees(row, status) {
  return row.valid ? status !== 'invalid' : status !== 'valid';
}

/**
 * Compare. exceptions: [{ corpus, address, reason }]. Returns per-corpus stats and the lists of
 * unlisted mismatches and stale exceptions.
 */
export function evaluate(analyze, corpora, exceptions) {
  const listed = new Map(exceptions.map((e) => [`${e.corpus}\u0000${e.address}`, e]));
  const used = new Set();
  const table = [];
  const unlisted = [];
  for (const [corpus, rows] of Object.entries(corpora)) {
    let agree = 0;
    let excepted = 0;
    for (const row of rows) {
      const v = analyze(row.address).verdict;
      const key = `${corpus}\u0000${row.address}`;
      if (agrees(row, v.status)) {
        agree++;
        continue;
      }
      if (listed.has(key)) {
        used.add(key);
        excepted++;
      } else {
        unlisted.push({ corpus, address: row.address, label: row.valid, status: v.status, reason: v.reason, detail: v.detail, category: row.category, note: row.note });
      }
    }
    table.push({ corpus, rows: rows.length, agree, rawPct: rows.length ? (100 * agree) / rows.length : 100, exceptions: excepted });
  }
  const stale = exceptions.filter((e) => !used.has(`${e.corpus}\u0000${e.address}`));
  return { table, unlisted, stale };
}

export function formatTable(table) {
  const lines = ['| corpus | default rows | agree | raw agreement | listed exceptions |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const t of table) lines.push(`| ${t.corpus} | ${t.rows} | ${t.agree} | ${t.rawPct.toFixed(1)}% | ${t.exceptions} |`);
  return lines.join('\n');
}
