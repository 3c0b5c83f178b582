import { test, expect } from '@playwright/test';
import { writeFile, mkdir } from 'node:fs/promises';
import { MmioTrace, parseTracedWrite, type TracedWrite } from '../../harness/instruments/mmio-trace.js';

const LINE = (us: string, addr: string, value: string, cpu = '2') =>
  `17625@1795286759.${us}:memory_region_ops_write cpu ${cpu} mr 0x55d5 addr ${addr} value ${value} size 4 name 'bcm2835_gpio'`;

test('trace lines parse into timed writes; other lines are ignored', () => {
  expect(parseTracedWrite(LINE('187312', '0x3f200028', '0x8000000'))).toEqual({ us: 1795286759187312, cpu: 2, addr: 0x3f200028, value: 0x8000000, size: 4 });
  expect(parseTracedWrite(LINE('000001', '0x3f20001c', '0x0', '-1'))?.cpu).toBe(-1);
  expect(parseTracedWrite('17625@1795286759.187312:pl061_update something')).toBeUndefined();
});

test('only writes inside the window are passed on; a failing write stops the polling and is raised by the next poll', async ({}, testInfo) => {
  await mkdir(testInfo.outputDir, { recursive: true });
  const file = testInfo.outputPath('mmio.log');
  await writeFile(file, [LINE('000001', '0x3f200028', '0x1'), LINE('000002', '0x3f215040', '0x41'), LINE('000003', '0x3f20001c', '0x2')].join('\n') + '\n');
  const seen: TracedWrite[] = [];
  const trace = new MmioTrace(file, { base: 0x3f200000, size: 0xb4 }, (w) => {
    if (w.value === 0x2) throw new Error('the model refused it');
    seen.push(w);
  });
  trace.start(2);
  await expect.poll(() => trace.poll().then(() => 'ok', (e: Error) => e.message), { timeout: 5000 }).toBe('the model refused it');
  expect(seen.map((w) => w.addr)).toEqual([0x3f200028]);
  trace.stop();
});
