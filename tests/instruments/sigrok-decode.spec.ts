/**
 * sigrok's protocol decoders on real captures (sigrok-dumps) and on captures pinrig wrote, read into typed events;
 * and the ways decoding fails, including those where sigrok-cli exits 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { execa } from 'execa';
import { readSr, writeSr } from '../../harness/files/sr.js';
import { capture, decode, i2c, pwm, SigrokError, spi, timing, uart } from '../../harness/instruments/sigrok/index.js';
import { periods } from '../../harness/signals/measure.js';
import { makeWaveform, type Channel, type Level } from '../../harness/signals/waveform.js';
import { CAPTURES, DEMO, expectNoSigrokLeft, INCREMENTAL, test } from './sigrok-support.js';

const UART_9600 = join(CAPTURES, 'uart_hello_world_8n1_hello_world_8n1_9600.sr');
const UART_115200 = join(CAPTURES, 'uart_hello_world_8n1_hello_world_8n1_115200.sr');
const PWM = join(CAPTURES, 'pwm_alsa_test_pwmtest_snippet.sr');
const I2C = join(CAPTURES, 'i2c_eeprom_24xx_atmel_at24c16c_dreamsourcelab_dslogic_powerup.sr');

const text = (bytes: ReadonlyArray<{ data: number }>) => Buffer.from(bytes.map((b) => b.data)).toString('latin1');

test.afterEach(expectNoSigrokLeft);

test.describe('real captures', () => {
  test.skip(!existsSync(CAPTURES), `no captures folder at ${CAPTURES}`);

  test('UART at 9600 and 115200 baud decodes to "Hello World!\\r\\n", by channel name or by number', async () => {
    // What sigrok-cli prints for these files (checked by hand): the line 4 times at 9600, 3 times at 115200.
    const slow = await uart(UART_9600, { channel: 'TX', baudrate: 9600 });
    expect(text(slow)).toBe('Hello World!\r\n'.repeat(4));
    expect(slow[0]).toEqual({ start: 120, end: 640, decoder: 'uart-1', text: '48', data: 0x48 });
    expect(await uart(UART_9600, { channel: 0, baudrate: 9600 })).toEqual(slow);
    expect(text(await uart(UART_115200, { channel: 'TX', baudrate: 115200 }))).toBe('Hello World!\r\n'.repeat(3));
  });

  test('the same UART samples read with -I binary (channels named 0..7) decode to the same bytes at the same samples', async ({ scratch }) => {
    const bin = scratch('uart.bin');
    await execa('sigrok-cli', ['-i', UART_9600, '-O', 'binary', '-o', bin]);
    const input = { path: bin, format: 'binary:numchannels=8:samplerate=625000' };
    const fromBinary = await uart(input, { channel: 0, baudrate: 9600 });
    expect(fromBinary).toEqual(await uart(UART_9600, { channel: 'TX', baudrate: 9600 }));
    expect(await uart(input, { channel: '0', baudrate: 9600 })).toEqual(fromBinary);
  });

  test('PWM: the pwm decoder\'s periods and duty cycles are pinrig\'s own period measurement, period by period', async () => {
    const { waveform } = await readSr(PWM);
    const mine = periods(waveform, '4').periods;
    const sigroks = await pwm(PWM, { channel: '4' });
    expect(sigroks.length).toBeGreaterThan(1000);
    // Compared whole (one expect, not thousands): same periods, same lengths, duty cycles to the 6 decimals of a
    // percent that sigrok prints.
    const round = (fraction: number) => Math.round(fraction * 1e8);
    expect(sigroks.map((p) => [p.start, p.end, p.period, round(p.dutyCycle)])).toEqual(mine.map((m) => [m.startTick, m.endTick, m.period, round(m.dutyCycle)]));
  });

  test('timing: each interval runs from one edge of the channel to the next, its seconds at the file\'s rate', async () => {
    const { waveform } = await readSr(PWM);
    const edges = Array.from(waveform.channels.find((c) => c.name === '4')!.edges);
    const intervals = await timing(PWM, { channel: 4 });
    expect(intervals.length).toBeGreaterThan(1000);
    expect(intervals.map((t) => [t.start, t.end, t.seconds])).toEqual(edges.slice(1).map((end, i) => [edges[i], end, (end - edges[i]!) / 24e6]));
    // The decoder's own text says the same, rounded: 9.625 μs for the first (231 samples at 24 MHz).
    expect(intervals[0]!.text).toBe('9.625 μs (103.896 kHz)');
    expect(intervals[0]!.seconds).toBeCloseTo(9.625e-6, 12);
  });

  test('I2C: the EEPROM power-up reads a byte, sets the word address to 0, reads 8 bytes', async () => {
    const events = await i2c(I2C, { scl: 'SCL', sda: 'SDA' });
    const said = events.map((e) => (e.value === undefined ? e.kind : `${e.kind} ${e.value.toString(16)}`));
    expect(said).toEqual([
      'start', 'address-read 50', 'ack', 'data-read ff', 'nack',
      'repeat-start', 'address-write 50', 'ack', 'data-write 0', 'ack',
      'repeat-start', 'address-read 50', 'ack',
      ...['c0', 'e', '2a', '1', '0', '0', '1'].flatMap((b) => [`data-read ${b}`, 'ack']), 'data-read 0', 'nack',
      'stop',
    ]);
    expect(events.every((e, i) => i === 0 || e.start >= events[i - 1]!.start)).toBe(true);
  });

  test('a decoder stack through decode(): eeprom24xx on i2c reports the same 8 bytes as one sequential read', async () => {
    const reads = await decode(I2C, [{ id: 'i2c', channels: { scl: 'SCL', sda: 'SDA' } }, { id: 'eeprom24xx' }], 'eeprom24xx=seq-random-read');
    expect(reads).toEqual([{ start: 70285, end: 74976, decoder: 'eeprom24xx-1', text: 'Sequential random read (addr=00, 8 bytes): C0 0E 2A 01 00 00 01 00' }]);
  });

  test('an unknown decoder channel (sigrok-cli exits 0) fails with sigrok\'s message and the channels the file has', async () => {
    const error = await uart(UART_9600, { channel: 'D9', baudrate: 9600 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigrokError);
    const e = error as SigrokError;
    expect(e.sigrokMessage).toBe('cli: No channel with name "D9" found.');
    expect(e.message).toContain(`${UART_9600} (decoder uart:rx=D9:baudrate=9600:format=hex): sigrok-cli reported an error (its exit status was 0); the file's channels are TX, 1, 2, 3, 4, 5, 6, 7`);
    expect(e.command).toEqual(['sigrok-cli', '-i', UART_9600, '-P', 'uart:rx=D9:baudrate=9600:format=hex', '-A', 'uart=rx-data', '--protocol-decoder-samplenum']);

    const numbered = await uart(UART_9600, { channel: 8, baudrate: 9600 }).catch((e: unknown) => e);
    expect((numbered as Error).message).toContain('there is no logic channel number 8 (the file has TX, 1, 2, 3, 4, 5, 6, 7)');
  });

  test('a decoder error (sigrok-cli exits 0 on a SamplerateError) fails with the decoder\'s message', async ({ scratch }) => {
    const bin = scratch('uart.bin');
    await execa('sigrok-cli', ['-i', UART_9600, '-O', 'binary', '-o', bin]);
    const error = await decode({ path: bin, format: 'binary' }, { id: 'uart', channels: { rx: '0' }, options: { baudrate: 9600 } }, 'uart=rx-data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigrokError);
    expect((error as SigrokError).sigrokMessage).toMatch(/^srd: SamplerateError: Protocol decoder instance uart-1: : Cannot decode without samplerate\./);
    const noRate = await timing({ path: bin, format: 'binary' }, { channel: 0 }).catch((e: unknown) => e);
    expect((noRate as Error).message).toContain('has no sample rate');
  });
});

test('decoding a capture pinrig wrote from the demo device: channel names D0.., the demo\'s 40 us half periods on D3', async ({ scratch }) => {
  const file = scratch('incremental.sr');
  await capture({ device: DEMO, channels: ['D0', 'D1', 'D2', 'D3'], channelGroup: INCREMENTAL, samples: 2000, file });
  const intervals = await timing(file, { channel: 'D3' });
  expect(intervals.length).toBeGreaterThan(100);
  expect(new Set(intervals.map((t) => t.end - t.start))).toEqual(new Set([8]));
  expect(new Set(intervals.map((t) => t.seconds))).toEqual(new Set([40e-6]));
  expect(await timing(file, { channel: 3 })).toEqual(intervals);
});

/** SPI mode 0, MSB first: data changes while CLK is low, is read on the rising edge; CS low around the words. */
function spiWaveform(mosi: number[], miso: number[]) {
  const half = 5;
  const levels: Record<'D0' | 'D1' | 'D2' | 'D3', Level[]> = { D0: [], D1: [], D2: [], D3: [] };
  const hold = (cs: Level, clk: Level, mo: Level, mi: Level, ticks: number) => {
    for (let i = 0; i < ticks; i++) (['D0', 'D1', 'D2', 'D3'] as const).forEach((n, k) => levels[n].push([cs, clk, mo, mi][k]!));
  };
  hold(1, 0, 0, 0, 20);
  mosi.forEach((word, w) => {
    for (let bit = 7; bit >= 0; bit--) {
      const mo = ((word >> bit) & 1) as Level;
      const mi = ((miso[w]! >> bit) & 1) as Level;
      hold(0, 0, mo, mi, half);
      hold(0, 1, mo, mi, half);
    }
  });
  hold(0, 0, 0, 0, half);
  hold(1, 0, 0, 0, 20);
  const channels: Channel[] = Object.entries(levels).map(([name, l]) => ({
    name,
    initial: l[0]!,
    edges: l.flatMap((v, t) => (t > 0 && v !== l[t - 1] ? [t] : [])),
  }));
  return makeWaveform(1e6, levels.D0.length, channels);
}

test('SPI on a capture pinrig wrote: MOSI and MISO words at the same samples', async ({ scratch }) => {
  const file = scratch('spi.sr');
  await writeSr(file, spiWaveform([0x9f, 0x00, 0x00], [0x00, 0xef, 0x40]));
  const words = await spi(file, { cs: 'D0', clk: 'D1', mosi: 'D2', miso: 'D3' });
  expect(words.map((w) => [w.mosi, w.miso])).toEqual([[0x9f, 0x00], [0x00, 0xef], [0x00, 0x40]]);
  expect(words.map((w) => w.start)).toEqual([25, 105, 185]); // the first rising CLK edge of each word
  expect((await spi(file, { clk: 1, mosi: 2 })).map((w) => w.mosi)).toEqual([0x9f, 0x00, 0x00]);
});

