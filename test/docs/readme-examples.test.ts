/**
 * The README's library examples are part of the feature: each ```js block that imports 'listscrub'
 * is run against the built package, and the output lines it documents in its trailing `// ` comments
 * must be what it prints (a `// ...` line ends the comparison).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface Example {
  code: string;
  expected: string[];
}

function examples(readme: string): Example[] {
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  return blocks
    .filter((block) => block.includes("from 'listscrub'"))
    .map((block) => {
      const lines = block.trimEnd().split('\n');
      const expected: string[] = [];
      while (lines.length > 0 && (lines[lines.length - 1] ?? '').startsWith('// ')) expected.unshift((lines.pop() ?? '').slice(3));
      const cut = expected.indexOf('...');
      return { code: lines.join('\n'), expected: cut >= 0 ? expected.slice(0, cut) : expected };
    });
}

describe('README library examples', async () => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const found = examples(readme);
  let dir = '';

  beforeAll(async () => {
    // Inside the package root, so `import 'listscrub'` resolves to this package (self-reference).
    await mkdir(join(root, 'test-results'), { recursive: true });
    dir = await mkdtemp(join(root, 'test-results', 'readme-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has an example for every entry point', () => {
    const all = found.map((example) => example.code).join('\n');
    for (const name of ['checkAddress', 'createScrubber', 'createScrubStream', 'scrubCsv']) expect(all).toContain(name);
  });

  it.each(found.map((example, i) => [i + 1, example] as const))('example %i prints what the README says', async (i, example) => {
    const file = join(dir, `example-${i}.mjs`);
    await writeFile(file, example.code);
    const { stdout } = await run(process.execPath, [file], { cwd: root });
    const printed = stdout.split('\n').map((line) => line.trimEnd());
    expect(example.expected.length).toBeGreaterThan(0);
    expect(printed.slice(0, example.expected.length)).toEqual(example.expected.map((line) => line.trimEnd()));
  });
});

describe('README command help', () => {
  it('shows the clean options exactly as `listscrub clean --help` prints them', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const { stdout } = await run(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'clean', '--help'], { cwd: root });
    const options = stdout.slice(stdout.indexOf('Input:'), stdout.indexOf('\nExit codes:')).trimEnd();
    expect(options.length).toBeGreaterThan(500);
    expect(readme).toContain(options);
  });
});
