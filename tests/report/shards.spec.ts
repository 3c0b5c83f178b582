/**
 * The nightly spread over machines, rehearsed here: one emulated project run as two shards with the blob reporter,
 * merged by `playwright merge-reports` as the CI workflow (.github/workflows/nightly.yml) does. The merged report
 * has every test once, the captures downloadable under their own names, and one JUnit file.
 */
import { chromium, expect, test } from '@playwright/test';
import { execa } from 'execa';
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYWRIGHT = path.join(ROOT, 'node_modules/.bin/playwright');
const PROJECT = '--project=qemu-virt';

test('two shards of the qemu-virt nightly merge into one report: same tests, captures named .sr/.vcd/.svg, one JUnit', async () => {
  test.setTimeout(600_000);
  const dir = test.info().outputPath('shards');
  const listed = await execa(PLAYWRIGHT, ['test', PROJECT, '--list'], { cwd: ROOT, env: { PINRIG_REPORTS: path.join(dir, 'list') }, stdin: 'ignore' });
  const total = Number(/Total: (\d+) tests?/.exec(listed.stdout)![1]);

  const blobs = path.join(dir, 'all-blob-reports');
  await mkdir(blobs, { recursive: true });
  for (const shard of ['1/2', '2/2']) {
    const reports = path.join(dir, `shard-${shard[0]}`);
    const run = await execa(PLAYWRIGHT, ['test', PROJECT, `--shard=${shard}`, '--reporter=blob'], {
      cwd: ROOT, env: { PINRIG_REPORTS: reports, PLAYWRIGHT_BLOB_OUTPUT_DIR: path.join(reports, 'blob-report') }, reject: false, stdin: 'ignore', timeout: 300_000, all: true,
    });
    expect(run.exitCode, run.all).toBe(0);
    await cp(path.join(reports, 'blob-report'), blobs, { recursive: true });
  }
  expect((await readdir(blobs)).filter((f) => f.endsWith('.zip'))).toHaveLength(2);

  const merged = path.join(dir, 'merged');
  const merge = await execa(PLAYWRIGHT, ['merge-reports', '--reporter=html,junit', blobs], {
    cwd: ROOT,
    env: { PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(merged, 'html'), PLAYWRIGHT_JUNIT_OUTPUT_FILE: path.join(merged, 'junit.xml'), PLAYWRIGHT_HTML_OPEN: 'never' },
    reject: false, stdin: 'ignore', timeout: 120_000, all: true,
  });
  expect(merge.exitCode, merge.all).toBe(0);
  const junit = await readFile(path.join(merged, 'junit.xml'), 'utf8');
  expect(Number(/<testsuites [^>]*\btests="(\d+)"/.exec(junit)![1])).toBe(total);

  // In the merged HTML report, as a person downloads them: each capture under its own name and extension.
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${path.join(merged, 'html', 'index.html')}`);
    await page.getByText('blink: 10 pulses of 100 ms').first().click();
    await page.locator('a[download]').first().waitFor({ timeout: 30_000 });
    const downloads = await page.locator('a[download]').evaluateAll((links) => links.map((a) => a.getAttribute('download') ?? ''));
    for (const ext of ['.sr', '.vcd', '.svg']) expect(downloads.some((name) => name.endsWith(ext)), `a download named *${ext} among ${downloads.join(', ')}`).toBe(true);
    expect(downloads.filter((name) => /\.(bin|dat)$/.test(name))).toEqual([]);
  } finally {
    await browser.close();
  }
});
