/**
 * Legacy (sysfs) GPIO numbers: a gpiochip's base, found by its label in /sys/class/gpio, plus the line.
 * The base differs between kernels (458 for the BCM2835 on Debian's 6.1, 512 on newer ones): look it up, never assume.
 */
import type { TargetShell } from './target.js';

export async function gpiochipBase(shell: TargetShell, label: string): Promise<number> {
  if (!/^[\w.:-]+$/.test(label)) throw new Error(`gpiochip label ${JSON.stringify(label)} has characters a label cannot have`);
  const out = await shell.check(`for c in /sys/class/gpio/gpiochip*; do [ "$(cat $c/label)" = '${label}' ] && cat $c/base; done; true`);
  const base = Number(out.trim().split('\n')[0]);
  if (!out.trim() || !Number.isInteger(base)) throw new Error(`no gpiochip labelled ${label} in /sys/class/gpio`);
  return base;
}
