/**
 * Debian's Chromium (installed by scripts/ensure-system-deps.mjs, run by `npm test`'s pretest), driven
 * by playwright-core, for the HTML report tests. One browser per test file, a fresh profile directory,
 * no network features; every page opened through openPage() records its console errors, page errors
 * and every request it makes, so a test can assert there were none.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../support/spawn.js';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots kept as test artifacts (CI keeps test-results/). */
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Containers (CI) often have a tiny /dev/shm; Chromium then crashes its renderer without this.
  '--disable-dev-shm-usage',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'listscrub-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  // Nothing may leave the machine: any request other than the page's own file is refused (and recorded).
  await context.route(/^(?!file:)/, (route) => route.abort('blockedbyclient'));
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Every URL the page requested, its own file included. */
  requests: string[];
  url: string;
}

/** Open a local HTML file at the given viewport width (a phone is about 360 px). */
export async function openPage(browser: Browser, file: string, width = 1024): Promise<OpenedPage> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 800 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => requests.push(request.url()));
  const url = pathToFileURL(file).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests, url };
}

/** A full-page screenshot under test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The numbers the page tags with data-metric, as numbers ("1,234" -> 1234); percentages and durations are left as text. */
export async function metrics(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-metric]', (elements) =>
    Object.fromEntries(elements.map((element) => [element.getAttribute('data-metric') ?? '', (element.textContent ?? '').trim()])),
  );
}

export function asNumber(text: string | undefined): number {
  return Number((text ?? '').replace(/,/g, ''));
}

/** True when the page is wider than its viewport (a horizontal scroll bar on a phone). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // Runs in the page; the tests compile without the DOM library, hence the narrow type.
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });
}
