/**
 * The report pages of a failing blink and a failing latency scenario, as a person opens them (chromium): the error's
 * first line says what failed, and the failure diagram, the capture's timing diagram and the register log are on the
 * page itself, not behind download links. Screenshots are attached to this test.
 */
import { chromium, expect, test } from '@playwright/test';
import path from 'node:path';
import { runFaults } from '../faults/runs/run-faults.js';

test('failing blink and latency scenarios: the report page explains the failure inline', async () => {
  test.setTimeout(180_000);
  const html = test.info().outputPath('html');
  const { tests } = await runFaults('report.fault.ts', { keepHtml: html });
  expect(tests.map((t) => t.status)).toEqual(['failed', 'failed']);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    for (const [title, first] of [
      ['blink: pulses of a width the guest does not make', /GPIO17: pulse 1 \(high\) at [\d.]+[mu]?s is [\d.]+ms wide, expected 10ms ±5% \(9\.5ms\.\.10\.5ms\)/],
      ['latency: an answer slower than allowed', /GPIO27 after GPIO17: edge 1 answered after [\d.]+[mu]s, expected at most 1us/],
    ] as const) {
      await page.goto(`file://${path.join(html, 'index.html')}`);
      await page.getByText(title).first().click();
      await page.getByText('Errors').first().waitFor();
      await expect(page.locator('body')).toContainText(first);
      // The failure diagram and the capture's diagram are images on the page.
      const images = page.locator('img');
      await expect.poll(() => images.count()).toBeGreaterThanOrEqual(2);
      // The failure diagram is shown as an image, its name linking to the same file.
      const link = page.getByRole('link', { name: /^failure 1: / }).first();
      const href = await link.getAttribute('href');
      const image = page.locator(`img[src="${href}"]`);
      await expect(image).toBeVisible();
      // Shown at a size where its 13 px text is still at least 12 px on screen.
      const { natural, shown } = await image.evaluate((img) => ({ natural: (img as unknown as { naturalWidth: number }).naturalWidth, shown: (img as unknown as { clientWidth: number }).clientWidth }));
      expect(13 * (shown / natural)).toBeGreaterThanOrEqual(12);
      // The register log is shown as text, not only linked.
      await expect(page.locator('body')).toContainText(/GPSET0|GPCLR0|latch/);
      const shot = test.info().outputPath(`${title.split(':')[0]} report page.png`);
      await page.screenshot({ path: shot, fullPage: true });
      await test.info().attach(`${title.split(':')[0]} report page.png`, { path: shot, contentType: 'image/png' });
    }
  } finally {
    await browser.close();
  }
});
