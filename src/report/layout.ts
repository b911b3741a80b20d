/**
 * The frame every HTML page shares: one self-contained document (inline style, no script, a CSP that
 * forbids fetching anything), the tables next to the charts, and number formatting.
 */
import { escapeHtml } from './escape.js';

/** Colours of the known statuses; a status added later gets FALLBACK_COLOR, with no page change. */
const STATUS_COLORS: Record<string, string> = {
  valid: '#2e7d32',
  risky: '#d28a00',
  invalid: '#c62828',
  unknown: '#5c7a99',
  duplicate: '#7b5ea7',
  malformed: '#8d6e63',
};
const FALLBACK_COLOR = '#757575';

export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? FALLBACK_COLOR;
}

export const TREND_COLORS = { rows: '#5c7a99', failed: '#c62828', removed: '#7b1fa2', unknown: '#d28a00' };

export function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** "12.3%"; a share of 0 rows is 0%. */
export function percent(part: number, whole: number): string {
  return `${(whole === 0 ? 0 : (part / whole) * 100).toFixed(1)}%`;
}

/** A cell: text is escaped; `metric` tags a number so tests (and scripts) can find it. */
export interface Cell {
  text: string;
  numeric?: boolean;
  metric?: string;
  /** Monospace, for codes and addresses. */
  code?: boolean;
  /** Kept on one line (a date). */
  nowrap?: boolean;
  /** Text from the list (an address, a record): may break anywhere, so a long one cannot widen the page. */
  raw?: boolean;
}

export type CellInput = string | Cell;

function cell(input: CellInput, tag: 'td' | 'th'): string {
  const c: Cell = typeof input === 'string' ? { text: input } : input;
  const className = c.numeric ? 'num' : c.raw ? 'raw' : c.nowrap ? 'nowrap' : '';
  const attrs = `${className === '' ? '' : ` class="${className}"`}${c.metric === undefined ? '' : ` data-metric="${escapeHtml(c.metric)}"`}`;
  const body = c.code ? `<code>${escapeHtml(c.text)}</code>` : escapeHtml(c.text);
  return `<${tag}${attrs}>${body}</${tag}>`;
}

/** A table with a caption; `foot` is a row of totals. */
export function table(caption: string, head: readonly CellInput[], rows: readonly (readonly CellInput[])[], foot?: readonly CellInput[], className?: string): string {
  const headHtml = `<thead><tr>${head.map((h) => cell(h, 'th')).join('')}</tr></thead>`;
  const bodyHtml = `<tbody>${rows.map((row) => `<tr>${row.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  const footHtml = foot === undefined ? '' : `<tfoot><tr>${foot.map((c) => cell(c, 'td')).join('')}</tr></tfoot>`;
  return `<div class="scroll"><table${className === undefined ? '' : ` class="${className}"`}><caption>${escapeHtml(caption)}</caption>${headHtml}${bodyHtml}${footHtml}</table></div>`;
}

/** A section with a heading; `body` is already HTML. */
export function section(id: string, heading: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(heading)}</h2>${body}</section>`;
}

export function paragraph(text: string, className?: string): string {
  return `<p${className === undefined ? '' : ` class="${className}"`}>${escapeHtml(text)}</p>`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d232a;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:16px}
h1{font-size:1.5em;margin:.2em 0;overflow-wrap:anywhere}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #d5d9de;padding-bottom:.2em}
.meta{color:#5b6570;margin:0 0 1em;overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px}
.card{background:#fff;border:1px solid #d5d9de;border-radius:8px;padding:10px 12px}
.card .value{display:block;font-size:1.6em;font-weight:600}
.card .label{color:#5b6570}
.status-line{background:#fff;border-left:5px solid #2e7d32;padding:8px 12px;margin:10px 0;overflow-wrap:anywhere}
.status-line.bad{border-color:#c62828}
.status-line.warn{border-color:#d28a00}
.chart{width:100%;height:auto;max-width:640px;display:block;margin:8px 0;font-size:13px}
.chart text{fill:#1d232a}
.chart .code{font-weight:700;fill:#c62828}
.scroll{overflow-x:auto;max-width:100%}
table.wide{min-width:900px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0}
caption{text-align:left;color:#5b6570;padding:4px 0}
th,td{border:1px solid #d5d9de;padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
td.raw,td.raw code{overflow-wrap:anywhere}
th{background:#eef0f3}
td.num,th.num,td.nowrap{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.nowrap{text-align:left}
tfoot td{font-weight:600;background:#f3f4f6}
code{font:13px/1.4 ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre-wrap}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.4em;vertical-align:-1px}
footer{color:#5b6570;margin:2em 0 1em;font-size:.9em}
@media print{body{background:#fff}.card,table{break-inside:avoid}}
`;

/**
 * The whole document. The Content-Security-Policy forbids every fetch (scripts, styles, images,
 * fonts, frames), so even a mistake elsewhere cannot make the page reach the network.
 */
export function document(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="listscrub">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
