/**
 * The emulated Raspberry Pi's two figures (issue: at most 5 s to a ready shell, at most 20 ms per command):
 * - boot: fresh QEMU to a ready pinrig shell (QMP, qtest, the gpio-stores plugin, console synced), beside a minimal
 *   boot under the same icount that only waits for the prompt on stdio;
 * - round trip: one framed shell command over the serial console, beside a bare `echo` on the same console.
 * Run: npx tsx bench/raspi3b.ts [runs]
 */
import { spawn } from 'node:child_process';
import { ensureGuestImage, type GuestImage } from '../harness/guest/image.js';
import { bootRaspi3b } from '../harness/targets/qemu-raspi3b.js';
import { ICOUNT, type QemuTarget } from '../harness/targets/qemu-target.js';
import { median, row } from './stats.js';

const runs = Number(process.argv[2] ?? 5);

async function minimalBoot(image: GuestImage): Promise<number> {
  const started = performance.now();
  const qemu = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'qemu-system-aarch64', '-M', 'raspi3b', '-accel', 'tcg,thread=single', ...ICOUNT,
    '-kernel', image.kernel, '-dtb', image.raspi3bDtb, '-initrd', image.initrd, '-append', 'console=ttyS1,115200 rdinit=/init quiet',
    '-display', 'none', '-monitor', 'none', '-serial', 'null', '-serial', 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error('minimal boot: no prompt within 60 s')), 60_000);
      qemu.stdout.on('data', (chunk: Buffer) => {
        seen = (seen + chunk.toString()).slice(-200);
        if (seen.includes(image.prompt)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return performance.now() - started;
  } finally {
    qemu.kill('SIGKILL');
  }
}

/** A bare echo on the console, below the shell link: what the emulated UART itself costs. */
async function bareEcho(target: QemuTarget): Promise<number> {
  const serial = (target as unknown as { serial: { write(d: string): void; onData(l: (c: Buffer) => void): () => void } }).serial;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    let seen = '';
    const off = serial.onData((chunk) => {
      seen += chunk.toString();
      if (seen.includes('Q1Z\r')) {
        off();
        resolve();
      }
    });
    serial.write('echo Q1Z\n');
  });
  return performance.now() - started;
}

const image = await ensureGuestImage({ progress: () => {} });
const minimal: number[] = [];
const ready: number[] = [];
const framed: number[] = [];
const bare: number[] = [];
for (let run = 0; run < runs; run++) {
  minimal.push(await minimalBoot(image));
  const started = performance.now();
  const target = await bootRaspi3b({ image });
  ready.push(performance.now() - started);
  try {
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await target.shell.run('true');
      framed.push(performance.now() - t0);
      bare.push(await bareEcho(target));
    }
  } finally {
    await target.close();
  }
}
console.log(`qemu-raspi3b, ${runs} boots, ${framed.length} commands`);
console.log(row('boot: minimal (QEMU to prompt on stdio)', minimal.map((v) => v / 1000), 's', 2));
console.log(row('boot: pinrig target ready (synced shell)', ready.map((v) => v / 1000), 's', 2));
console.log(`  ratio pinrig / minimal: ${(median(ready) / median(minimal)).toFixed(2)}   (target: at most 5 s median)`);
console.log(row('round trip: bare echo on the console', bare, 'ms', 2));
console.log(row('round trip: framed shell command (true)', framed, 'ms', 2));
console.log(`  ratio framed / bare: ${(median(framed) / median(bare)).toFixed(2)}   (target: at most 20 ms median)`);
