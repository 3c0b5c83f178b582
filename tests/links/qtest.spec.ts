import { test, expect } from '@playwright/test';
import { type IrqEvent } from '../../harness/links/qtest.js';
import { stoppedQemu as stoppedMachine } from '../support/stopped-qemu.js';

const PL061 = 0x09030000;

test('PL061 is found by QOM type with its 8 inputs and outputs, and inputs drive DATA', async () => {
  const m = await stoppedMachine('virt');
  try {
    const gpio = await m.qmp.findDevice('pl061');
    expect(gpio).toMatchObject({ type: 'pl061', inputs: 8, outputs: 8 });
    expect(gpio.path).toMatch(/^\/machine\//);
    // A path found before (a saved guest keeps it) is checked, not walked for: the same device, or a clear error.
    expect(await m.qmp.device(gpio.path, 'pl061')).toEqual(gpio);
    await expect(m.qmp.device(gpio.path, 'bcm2835_gpio')).rejects.toThrow(`expected a bcm2835_gpio at ${gpio.path}, found a pl061`);
    await expect(m.qmp.device('/machine/no-such-device', 'pl061')).rejects.toThrow(/expected a pl061 at \/machine\/no-such-device: QMP qom-get: DeviceNotFound/);
    await m.qtest.setInput(gpio, 5, 1);
    expect(await m.qtest.readl(PL061 + 0x3fc)).toBe(1 << 5); // all-ones mask reads every line
    expect(await m.qtest.readl(PL061 + ((1 << 4) << 2))).toBe(0); // address bits [9:2] mask line 4 only: line 5 hidden
    await m.qtest.setInput(gpio, 5, 0);
    expect(await m.qtest.readl(PL061 + 0x3fc)).toBe(0);
  } finally {
    await m.close();
  }
});

test('intercepted PL061 outputs arrive as IRQ events, also between replies', async () => {
  const m = await stoppedMachine('virt');
  try {
    const gpio = await m.qmp.findDevice('pl061');
    await m.qtest.interceptOutputs(gpio);
    const events: IrqEvent[] = [];
    m.qtest.onIrq((e) => events.push(e));
    await m.qtest.writel(PL061 + 0x400, 0x01); // DIR: line 0 output
    await m.qtest.writel(PL061 + (1 << 2), 0x01); // DATA masked to line 0: high
    await m.qtest.writel(PL061 + (1 << 2), 0x00);
    expect(events.map((e) => `${e.line}:${e.level}`)).toEqual(['0:1', '0:0']);
    expect(events[1]!.at).toBeGreaterThan(events[0]!.at);
  } finally {
    await m.close();
  }
});

test('set_irq_in on a device without inputs is refused, and QEMU stays alive', async () => {
  const m = await stoppedMachine('raspi3b');
  try {
    const gpio = await m.qmp.findDevice('bcm2835_gpio');
    expect(gpio.inputs).toBe(0);
    expect(gpio.outputs).toBe(54);
    await expect(m.qtest.setInput(gpio, 18, 1)).rejects.toThrow(/refusing set_irq_in .* 0 input line\(s\)/);
    await m.qtest.writel(0x3f20001c, 1 << 18); // GPSET0 is how a host drives a BCM2835 input
    expect(await m.qtest.readl(0x3f200034)).toBe(1 << 18);
    expect(m.qemu.exitStatus).toBeUndefined();
  } finally {
    await m.close();
  }
});

test('a second intercepted device is refused before QEMU is asked', async () => {
  const m = await stoppedMachine('virt');
  try {
    const gpio = await m.qmp.findDevice('pl061');
    await m.qtest.interceptOutputs(gpio);
    const other = { ...gpio, path: '/machine/unattached/device[0]' };
    await expect(m.qtest.interceptOutputs(other)).rejects.toThrow(/already intercepted/);
  } finally {
    await m.close();
  }
});

test('requests after QEMU exits fail naming the closed connection, not by timing out', async () => {
  const m = await stoppedMachine('virt');
  await m.qmp.quit();
  await m.qemu.exited;
  await expect(m.qtest.readl(PL061)).rejects.toThrow(/closed/);
  expect(m.qemu.exitStatus).toEqual({ code: 0, signal: null });
  await m.close();
});
