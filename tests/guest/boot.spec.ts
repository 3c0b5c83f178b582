/**
 * The guest image boots on QEMU raspi3b to a shell that sees the BCM2835 GPIO controller and runs the resolved kernel.
 */
import { test, expect } from '@playwright/test';
import { execa, type ResultPromise } from 'execa';
import { ensureGuestImage, type GuestImage } from '../../harness/guest/image.js';

const QEMU = 'qemu-system-aarch64';
const BOOT_TIMEOUT_MS = 60_000;
const COMMAND_TIMEOUT_MS = 15_000;
// ash asks for the cursor position (ESC[6n) after each prompt; strip that and any other escape sequence.
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]/g;

function raspi3bArgs(image: GuestImage): string[] {
  return [
    '-M', 'raspi3b', '-accel', 'tcg,thread=single',
    '-kernel', image.kernel, '-dtb', image.raspi3bDtb, '-initrd', image.initrd,
    '-append', 'console=ttyS1,115200 rdinit=/init quiet',
    '-display', 'none', '-monitor', 'none', '-serial', 'null', '-serial', 'stdio',
  ];
}

/** The guest console on QEMU's stdio: waits for text and runs commands, every wait bounded. */
function serialConsole(qemu: ResultPromise<{ reject: false; buffer: { stdout: false } }>, prompt: string) {
  let transcript = '';
  let consumed = 0;
  let ended: string | undefined;
  let wake = (): void => {};
  qemu.stdout.on('data', (chunk: Buffer) => {
    transcript += chunk.toString('utf8');
    wake();
  });
  void qemu.then((result) => {
    ended = (result as { code?: string }).code === 'ENOENT'
      ? `${QEMU} not found: run \`apt-get install -y --no-install-recommends qemu-system-arm\``
      : `${QEMU} exited (${result.exitCode ?? result.signal}): ${result.stderr}`;
    wake();
  });

  /** Consumes the console up to and including the first match of `marker`, and returns that text. */
  async function until(marker: RegExp, timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const rest = transcript.slice(consumed);
      const match = marker.exec(rest);
      if (match) {
        consumed += match.index + match[0].length;
        return rest.slice(0, match.index + match[0].length);
      }
      const left = deadline - performance.now();
      if (ended !== undefined || left <= 0) {
        const why = ended ?? `no ${marker} within ${timeoutMs} ms`;
        throw new Error(`raspi3b guest console: ${why}\n--- console tail ---\n${rest.slice(-2000).replace(ESCAPES, '')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  const promptPattern = new RegExp(prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    waitForPrompt: (timeoutMs: number) => until(promptPattern, timeoutMs),
    /** Runs one command and returns its output lines (without the echoed command line) and exit status. */
    async run(command: string): Promise<{ output: string; status: number }> {
      qemu.stdin.write(`${command}; echo "@@status=$?@@"\n`);
      const text = (await until(/@@status=(\d+)@@/, COMMAND_TIMEOUT_MS)).replace(ESCAPES, '').replace(/\r/g, '');
      await until(promptPattern, COMMAND_TIMEOUT_MS);
      const lines = text.split('\n');
      return { output: lines.slice(1, -1).join('\n'), status: Number(/@@status=(\d+)@@$/.exec(text)![1]) };
    },
  };
}

test('raspi3b guest boots to a shell that sees pinctrl-bcm2835 and runs the resolved kernel', async () => {
  test.setTimeout(15 * 60_000); // the first run downloads about 63 MB of packages and builds the image

  const image = await test.step('guest image', () => ensureGuestImage());
  const qemu = execa(QEMU, raspi3bArgs(image), { reject: false, buffer: { stdout: false }, forceKillAfterDelay: 5_000 });
  try {
    const guest = serialConsole(qemu, image.prompt);
    await test.step('boot to prompt', async () => {
      const started = performance.now();
      await guest.waitForPrompt(BOOT_TIMEOUT_MS);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      test.info().annotations.push({ type: 'boot-to-prompt', description: `${seconds} s` });
    });
    await test.step('gpiodetect', async () => {
      const { output, status } = await guest.run('gpiodetect');
      expect(status).toBe(0);
      expect(output).toMatch(/gpiochip\d+ \[pinctrl-bcm2835\] \(54 lines\)/);
    });
    await test.step('uname -r', async () => {
      const { output, status } = await guest.run('uname -r');
      expect(status).toBe(0);
      expect(output.trim()).toBe(image.kernelRelease);
    });
  } finally {
    qemu.kill();
    await qemu;
  }
});
