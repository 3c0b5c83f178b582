/**
 * Finding analyzers with `sigrok-cli --scan`, and what happens when there is none, or no sigrok-cli at all.
 */
import { mkdir } from 'node:fs/promises';
import { expect } from '@playwright/test';
import { capture, findDevice, INSTALL_COMMAND, parseScan, scan, SigrokError } from '../../harness/instruments/sigrok/index.js';
import { DEMO, expectNoSigrokLeft, test } from './sigrok-support.js';

test.afterEach(expectNoSigrokLeft);

test('scan finds the demo device with its 8 logic and 5 analog channels, in index order', async () => {
  const devices = await scan();
  expect(devices).toContainEqual({
    driver: 'demo',
    description: 'Demo device',
    channels: ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'A0', 'A1', 'A2', 'A3', 'A4'],
  });
  expect(await scan(DEMO)).toEqual(devices.filter((d) => d.driver === 'demo'));
});

test('scan lines with a connection, a serial number and a single channel are read as sigrok-cli prints them', () => {
  const text = [
    'The following devices were found:',
    'fx2lafw:conn=1.6 - Saleae Logic with 8 channels: D0 D1 D2 D3 D4 D5 D6 D7',
    'saleae-logic16:conn=3.12 - Saleae Logic16 [S/N: 0123] with 16 channels: 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15',
    'uni-t-ut61e:conn=/dev/ttyUSB0 - UNI-T UT61E with 1 channel: P1',
    '',
  ].join('\n');
  expect(parseScan(text)).toEqual([
    { driver: 'fx2lafw', conn: '1.6', description: 'Saleae Logic', channels: ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7'] },
    { driver: 'saleae-logic16', conn: '3.12', description: 'Saleae Logic16 [S/N: 0123]', channels: Array.from({ length: 16 }, (_, i) => String(i)) },
    { driver: 'uni-t-ut61e', conn: '/dev/ttyUSB0', description: 'UNI-T UT61E', channels: ['P1'] },
  ]);
  expect(() => parseScan('demo - Demo device with 3 channels: D0 D1')).toThrow(/says 3 channels but lists 2/);
});

test('no analyzer plugged in: findDevice fails saying what to check', async () => {
  const plugged = await scan({ driver: 'fx2lafw' });
  test.skip(plugged.length > 0, 'an fx2lafw analyzer is plugged in here');
  const error = await findDevice({ driver: 'fx2lafw' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as SigrokError).message).toMatch(/^sigrok device fx2lafw: no such device found .*plugged in.*sigrok-firmware-fx2lafw.*plugdev/);
});

test('sigrok-cli missing from PATH: the error names the Debian package to install', async ({ scratch }) => {
  const empty = scratch('empty-bin');
  await mkdir(empty);
  const saved = process.env.PATH;
  process.env.PATH = empty;
  let error: unknown;
  try {
    error = await scan().catch((e: unknown) => e);
  } finally {
    process.env.PATH = saved;
  }
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as Error).message).toContain('sigrok-cli is not installed (no sigrok-cli on PATH)');
  expect((error as Error).message).toContain(INSTALL_COMMAND);
  expect(INSTALL_COMMAND).toBe('apt-get install -y --no-install-recommends sigrok-cli');
});

test('a sigrok-cli path that does not exist: the capture fails naming the path and the package', async () => {
  const error = await capture({ device: DEMO, channels: ['D0'], samples: 10, binary: '/opt/nowhere/sigrok-cli' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SigrokError);
  expect((error as Error).message).toContain('no program at /opt/nowhere/sigrok-cli');
  expect((error as Error).message).toContain(INSTALL_COMMAND);
});
