/**
 * Finding analyzers with `sigrok-cli --scan`, and what happens when there is none, or no sigrok-cli at all.
 */
import { expect } from '@playwright/test';
import { parseScan, scan } from '../../harness/instruments/sigrok/index.js';
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

