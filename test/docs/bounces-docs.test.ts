/**
 * README "Bounces" must stay the classifier's table: every rule, in order, with its class and
 * source, and every provider rule.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROVIDER_RULES, RULES } from '../../src/bounces/rules.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

async function section(): Promise<string> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf("\n## Bounces: learning from the sender's own bounces\n");
  expect(start).toBeGreaterThan(0);
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

describe('README Bounces section', () => {
  it('lists every rule in the classifier order, with its class, category and source', async () => {
    const text = await section();
    const rows = [...text.matchAll(/^\| (\d+) \| `([^`]+)` \| (\w+) \/ ([\w-]+) \|.*\| ([^|]+) \|$/gm)].map((m) => [Number(m[1]), m[2], m[3], m[4], (m[5] ?? '').trim()]);
    expect(rows).toEqual(RULES.map((rule, i) => [i + 1, rule.id, rule.class, rule.category, rule.source.replace(/\|/g, '\\|')]));
    for (const rule of PROVIDER_RULES) {
      expect(text).toContain(`| \`${rule.id}\` | ${rule.class} / ${rule.category} | ${rule.types.map((t) => `\`${t}\``).join(', ')} |`);
    }
  });
});
