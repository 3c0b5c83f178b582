import { test, expect, requiresBcmRegisters } from '../../fixtures/index.js';
import { spi } from '../../harness/instruments/sigrok/index.js';
import { apa102Frame, clockOut } from './apa102.js';

requiresBcmRegisters('the procedure is written for the BCM2835/BCM2711 registers (GPFSEL, GPSET, GPCLR)');

// The seed's showcase: the Fan SHIM's APA102 LED driven from the registers alone.
test('bit-bang an APA102 frame through the register file; sigrok\'s SPI decoder reads exactly the bytes sent', async ({ target, registers, analyzer }) => {
  const clock = target.role('led-clock');
  const data = target.role('led-data');
  const frame = apa102Frame({ brightness: 5, red: 0xff, green: 0x80, blue: 0x10 });

  await test.step(`${clock.name} (clock) and ${data.name} (data) become outputs, both low`, async () => {
    await registers.set('GPCLR0', (1 << clock.line) | (1 << data.line));
    await registers.selectFunction(clock.name, 'output');
    await registers.selectFunction(data.name, 'output');
  });

  const recording = await analyzer.record([clock.name, data.name], 'apa102');
  await test.step(`clock out the start frame, the LED frame (brightness 5, blue 0x10, green 0x80, red 0xff) and the end frame`, () =>
    registers.batch((b) => clockOut(b, frame, { clock: clock.line, data: data.line })));
  const capture = await recording.stop();

  expect(capture).toHaveEdgeCount(clock.name, 2 * 8 * frame.length);
  // SPI mode 0, MSB first: what the APA102 itself does with its clock and data.
  const words = await spi(capture.files.sr!, { clk: clock.name, mosi: data.name, options: { cpol: 0, cpha: 0, bitorder: 'msb-first', wordsize: 8 } });
  expect(words.map((w) => w.mosi)).toEqual(frame);
  expect(registers.warnings).toEqual([]);
});
