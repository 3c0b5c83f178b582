import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { modelFor } from '../../harness/models/index.js';
import type { RegisterModel, RegisterWrite } from '../../harness/models/types.js';
import type { QtestLink } from '../../harness/links/qtest.js';
import { stoppedQemu } from '../support/stopped-qemu.js';

// QEMU's own bcm2835_gpio and pl061, reached through qtest with the CPU stopped, as a second opinion on the models.
// Compared is only what QEMU models (qemu.md): on raspi3b GPFSEL and the GPLEV bits of output pins (QEMU's GPLEV is
// the latch whatever the direction; no pulls, no detect registers); on virt DIR, DATA, RIS and MIS, with interrupts
// configured only on input lines (QEMU also level-detects outputs, the model watches inputs only).

const QEMU = 'qemu-system-aarch64';
const haveQemu = spawnSync(QEMU, ['--version']).status === 0;

/** A repeatable sequence of numbers below n (a linear congruential generator). */
function numbers(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * n);
  };
}

function write(model: RegisterModel, offset: number, value: number): RegisterWrite {
  return { t: 0, addr: model.base + offset, value: value >>> 0, size: 4, source: 'qtest' };
}

/** Applies a write to the model and to QEMU. */
async function both(model: RegisterModel, qtest: QtestLink, w: RegisterWrite): Promise<void> {
  model.write(w);
  await qtest.writel(w.addr, w.value);
}

test.describe('register models against QEMU device models', () => {
  test.skip(!haveQemu, `${QEMU} is not installed`);

  test('BCM2835 on raspi3b: GPFSEL and output levels agree through 150 writes, GPSET before GPFSEL included', async () => {
    const model = modelFor('bcm2835', { base: 0x3f200000 });
    const machine = await stoppedQemu('raspi3b');
    try {
      const next = numbers(2835);
      const fields = [0, 1, 0, 1, 4]; // input, output, input, output, alt0
      for (let step = 0; step < 150; step++) {
        const kind = next(3);
        const w =
          kind === 0
            ? write(model, 4 * next(5), Array.from({ length: 10 }, (_, i) => fields[next(fields.length)]! << (3 * i)).reduce((a, b) => a | b, 0))
            : write(model, [0x1c, 0x28][kind - 1]! + 4 * next(2), next(2 ** 32)); // GPSET0/1 or GPCLR0/1
        await both(model, machine.qtest, w);
        const outputs = Array.from({ length: 54 }, (_, pin) => pin).filter((pin) => model.direction(pin) === 'out');
        for (const bank of [0, 1]) {
          const mask = outputs.filter((pin) => pin >> 5 === bank).reduce((m, pin) => (m | (1 << (pin & 31))) >>> 0, 0);
          const addr = model.base + 0x34 + 4 * bank;
          expect((await machine.qtest.readl(addr)) & mask, `GPLEV${bank} output bits after ${model.describe(w)}`).toBe(model.read(addr) & mask);
        }
        for (let n = 0; n < 5; n++) {
          const addr = model.base + 4 * n;
          expect(await machine.qtest.readl(addr), `GPFSEL${n} after ${model.describe(w)}`).toBe(model.read(addr));
        }
      }
      expect(model.ignored).toEqual([]);
    } finally {
      await machine.close();
    }
  });

  test('PL061 on virt: DIR, masked DATA, RIS and MIS agree through driven inputs and interrupt settings', async () => {
    const model = modelFor('pl061');
    const machine = await stoppedQemu('virt');
    try {
      const gpio = await machine.qmp.findDevice('pl061');
      const drive = async (line: number, level: 0 | 1) => {
        model.drive(line, level, 0);
        await machine.qtest.setInput(gpio, line, level);
      };
      const next = numbers(61);
      const compare = async (registers: readonly number[], after: string) => {
        for (const offset of registers) {
          const addr = model.base + offset;
          expect(await machine.qtest.readl(addr), `${offset.toString(16)} after ${after}`).toBe(model.read(addr));
        }
      };

      // Directions and masked DATA. After a DIR write every input is driven in both: QEMU keeps a former output's
      // latch in DATA until its input is set, where the model reads the outside level.
      for (let step = 0; step < 80; step++) {
        const w = next(4) === 0 ? write(model, 0x400, next(256)) : write(model, next(256) << 2, next(256));
        await both(model, machine.qtest, w);
        if (w.addr === model.base + 0x400) {
          for (let line = 0; line < 8; line++) if (model.direction(line) === 'in') await drive(line, next(2) as 0 | 1);
        }
        await compare([0x400, 0x3fc, (next(256) << 2)], model.describe(w));
      }

      // Interrupts: lines 0-3 outputs, 4-7 inputs, level sensing only on inputs.
      for (const [offset, value] of [[0x400, 0x0f], [0x404, 0], [0x408, 0], [0x40c, 0], [0x410, 0]] as const) {
        await both(model, machine.qtest, write(model, offset, value));
      }
      for (let line = 4; line < 8; line++) await drive(line, 0);
      await both(model, machine.qtest, write(model, 0x41c, 0xff));
      await compare([0x414, 0x418], 'the interrupt set-up');
      for (let step = 0; step < 150; step++) {
        const choice = next(6);
        let after: string;
        if (choice === 0) {
          const line = 4 + next(4);
          const level = next(2) as 0 | 1;
          await drive(line, level);
          after = `driving line ${line} ${level}`;
        } else {
          const offset = [0x404, 0x408, 0x40c, 0x410, 0x41c][choice - 1]!;
          const w = write(model, offset, offset === 0x404 ? next(256) & 0xf0 : next(256));
          await both(model, machine.qtest, w);
          after = model.describe(w);
        }
        await compare([0x414, 0x418, 0x3fc], after);
      }
      expect(model.ignored).toEqual([]);
    } finally {
      await machine.close();
    }
  });
});
