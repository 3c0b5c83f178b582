import { test, expect } from '../../fixtures/index.js';
import { GuestGpio } from '../../harness/targets/guest-gpio.js';

// The GPIO verbs on the emulated virt machine (PL061, interrupts): both output paths, edges, and what release leaves.
test.use({ targetName: 'qemu-virt' });

/** Who holds a line, as the guest's gpioinfo shows it (the consumer in quotes, or unused). */
async function holder(shell: { check(c: string): Promise<string> }, line: number): Promise<string> {
  const info = await shell.check(`gpioinfo 9030000.pl061 | grep '^[[:space:]]*line *${line}:'`);
  return /"([^"]*)"/.exec(info)?.[1] ?? 'unused';
}

test('an output through sysfs: set, get, a guest-timed train; released, its sysfs folder is gone', async ({ target, gpio, analyzer }) => {
  const led = await gpio.output('blink', 1);
  expect(await led.get()).toBe(1);
  await led.set(0);
  expect(await led.get()).toBe(0);
  expect(await holder(target.shell, led.pin.line)).toBe('sysfs');
  const recording = await analyzer.record([led]);
  await led.train({ count: 3, width: '20ms', gap: '30ms' });
  const capture = await recording.stop();
  expect(capture).toHavePulses(led.name, { level: 'high', count: 3, width: '20ms', tolerance: '5ms' });
  expect(capture).toHaveFrequency(led.name, '20Hz', { tolerance: '10%' });
  await expect(gpio.output('blink')).rejects.toThrow(/GPIO0: already claimed in this test/);
  await gpio.releaseAll();
  expect(await holder(target.shell, led.pin.line)).toBe('unused');
});

test('an output through the character device (a guest without sysfs): held by gpioset, pulsed, released', async ({ target, analyzer }) => {
  const gpio = new GuestGpio(target, { outputs: 'chardev' });
  try {
    const pin = await gpio.output('toggle');
    expect(await holder(target.shell, pin.pin.line)).toBe('gpioset');
    const recording = await analyzer.record([pin]);
    await pin.pulse('30ms');
    await pin.set(1);
    const capture = await recording.stop();
    expect(capture).toHavePulses(pin.name, { level: 'high', count: 1, width: '30ms', tolerance: '10ms' });
    expect(capture.waveform.channels[0]!.edges.length, 'a pulse, then set high').toBe(3);
    expect(await pin.get()).toBe(1);
  } finally {
    await gpio.releaseAll();
  }
  expect(await target.shell.check('pidof gpioset || echo none')).toBe('none\n');
});

test('a pin some other process holds is refused, naming the pin and the target', async ({ target, gpio }) => {
  const line = target.role('gpiod').line;
  await target.shell.check(`gpioset --mode=signal 9030000.pl061 ${line}=0 & sleep 0.2`);
  await expect(gpio.output('gpiod')).rejects.toThrow(/qemu-virt GPIO2: in use in the guest/);
});

test('an input: levels the host drives, and edges with the guest kernel\'s timestamps', async ({ target, gpio }) => {
  const input = await gpio.input('input');
  await target.drive(input.name, 0);
  expect(await input.get()).toBe(0);
  const watch = await input.watch({ edge: 'both', count: 6 });
  const { spacingsMs } = await target.drivePulses!(input.name, 3, 20);
  const seen = await watch.edges();
  expect(seen.map((e) => e.edge)).toEqual(['rising', 'falling', 'rising', 'falling', 'rising', 'falling']);
  // The guest's stamps of the rising edges are spaced as the host drove them in virtual time, within 1 ms.
  const rises = seen.filter((e) => e.edge === 'rising').map((e) => e.ns / 1e6);
  rises.slice(1).forEach((at, i) => expect(Math.abs(at - rises[i]! - spacingsMs[i]!)).toBeLessThan(1));
  expect(await holder(target.shell, input.pin.line)).toBe('unused'); // the watch ended with its count
});

test('releasing after a failure ends the watches and answer loops too: nothing of the verbs is left in the guest', async ({ target }) => {
  const gpio = new GuestGpio(target);
  const [input, answer, other] = [await gpio.input('input'), await gpio.output('answer'), await gpio.input('gpioset')];
  await other.watch();
  await gpio.answer(input, answer);
  expect(await target.shell.check('pidof gpiomon | wc -w')).toBe('2\n');
  await gpio.releaseAll();
  expect(await target.shell.check('pidof gpiomon || echo none; ls /tmp/pinrig-gpio 2>&1 | head -1')).toMatch(/^none\n.*No such file/);
  expect(await holder(target.shell, answer.pin.line)).toBe('unused');
});

test('answering a line that is watched fails at once, saying so, whoever watches it', async ({ target, gpio }) => {
  const [input, answer] = [await gpio.input('input'), await gpio.output('answer')];
  const watch = await input.watch();
  await expect(gpio.answer(input, answer)).rejects.toThrow(/qemu-virt GPIO5: is being watched: end its watch/);
  await watch.stop();
  // A gpiomon the test did not start through the verbs holds the line: the loop's own gpiomon cannot, and it says so.
  await target.shell.check(`gpiomon 9030000.pl061 ${input.pin.line} > /dev/null & sleep 0.2`);
  await expect(gpio.answer(input, answer)).rejects.toThrow(/qemu-virt GPIO5: the answer loop did not start listening \(is the line watched already\?\)/);
});

test('bad arguments are refused before anything reaches the guest', async ({ gpio }) => {
  await expect(gpio.output('no-such-pin')).rejects.toThrow(/no pin "no-such-pin"/);
  const led = await gpio.output('blink');
  await expect(led.train({ count: 0, width: '1ms' })).rejects.toThrow(/qemu-virt GPIO0: a pulse train needs a count ≥ 1/);
  await expect(led.pulse('-5ms')).rejects.toThrow(/GPIO0/);
});
