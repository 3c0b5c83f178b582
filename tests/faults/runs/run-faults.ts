import { chromium } from '@playwright/test';
import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

export interface ReportedTest {
  title: string;
  status: string;
  error?: string;
  steps: string[];
  annotations: Array<{ type: string; description?: string }>;
  attachments: string[];
  /** Status of each attempt, in order (retries). */
  attempts: string[];
}

const CONFIG = path.join(import.meta.dirname, 'faults.config.ts');
const PLAYWRIGHT = path.join(import.meta.dirname, '../../../node_modules/.bin/playwright');

/**
 * Runs fault scenarios (runs/*.fault.ts) in a Playwright run of their own, with a real run's reporters, and returns
 * what its JSON report says of each test and its junit.xml. `interruptOn`: Ctrl-C the run once its output shows this.
 */
export async function runFaults(file: string, options: { env?: Record<string, string>; args?: string[]; interruptOn?: string; renderHtml?: boolean; keepHtml?: string } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pinrig-faults-'));
  try {
    const run = execa(PLAYWRIGHT, ['test', '-c', CONFIG, file, ...(options.args ?? [])], {
      env: { ...options.env, PINRIG_REPORTS: dir },
      reject: false,
      timeout: 120_000,
      stdin: 'ignore',
      all: true,
    });
    if (options.interruptOn) {
      let seen = '';
      run.all!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(options.interruptOn!)) run.kill('SIGINT');
      });
    }
    const { exitCode, all } = await run;
    const report = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8'));
    const tests: ReportedTest[] = [];
    const walk = (suite: any) => {
      for (const spec of suite.specs ?? []) {
        for (const t of spec.tests) {
          const result = t.results[t.results.length - 1] ?? { status: 'not run' };
          tests.push({
            title: spec.title,
            status: result.status,
            error: result.error?.message === undefined ? undefined : stripVTControlCharacters(result.error.message),
            steps: (result.steps ?? []).map((s: any) => s.title),
            annotations: [...(t.annotations ?? []), ...(result.annotations ?? [])],
            attachments: (result.attachments ?? []).map((a: any) => a.name),
            attempts: t.results.map((r: any) => r.status),
          });
        }
      }
      for (const child of suite.suites ?? []) walk(child);
    };
    for (const suite of report.suites) walk(suite);
    const junit = await readFile(path.join(dir, 'junit.xml'), 'utf8');
    const html = options.renderHtml ? await renderedText(path.join(dir, 'html', 'index.html')) : undefined;
    if (options.keepHtml) await cp(path.join(dir, 'html'), options.keepHtml, { recursive: true });
    return { exitCode, tests, junit, html, output: all ?? '' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The HTML report's text as a person sees it: opened in a real browser (Debian's chromium, driven by Playwright),
 * once the report has rendered its list of tests.
 */
async function renderedText(file: string): Promise<string> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    await page.locator('.test-file-test').first().waitFor({ timeout: 30_000 });
    return (await page.locator('body').innerText()).replace(/\s+/g, ' ');
  } finally {
    await browser.close();
  }
}
