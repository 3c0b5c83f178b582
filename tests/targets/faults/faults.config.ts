import { defineConfig } from '@playwright/test';
import type { TargetName } from '../../../fixtures/targets.js';

// Scenarios that fail on purpose, run by tests/targets/faults.spec.ts in a Playwright run of their own.
export default defineConfig<object, { targetName: TargetName }>({
  testDir: '.',
  testMatch: '*.fault.ts',
  workers: 1,
  timeout: 30_000,
  outputDir: process.env.PINRIG_FAULT_OUTPUT ?? 'reports/fault-results',
  reporter: [['json', { outputFile: process.env.PINRIG_FAULT_REPORT ?? 'reports/faults.json' }]],
  projects: [{ name: 'qemu-raspi3b', use: { targetName: 'qemu-raspi3b' } }],
});
