/**
 * Criteria every kernel-module assignment shares: the module loads cleanly, and it unloads leaving the kernel clean.
 */
import { fail, pass, type KernelHealth, type RubricContext, type Verdict } from './rubric.js';

/** How long a module gets after init to show trouble on the console (a flood, an oops in a timer) before it counts as loaded. */
const SETTLE_MS = 500;

/** What is wrong with the kernel, in words, or undefined when it is clean. */
export function healthProblems(health: KernelHealth): string | undefined {
  const problems = [
    ...(health.newTaints.length ? [`the kernel is now tainted ${health.newTaints.join(', ')}`] : []),
    ...(health.warnings.length ? [`the kernel log says:\n${health.warnings.join('\n')}`] : []),
  ];
  return problems.length ? problems.join('; ') : undefined;
}

/** insmod returns 0, the module goes live, and nothing goes wrong in the moments after. */
export async function checkLoads(context: RubricContext, args: readonly string[] = []): Promise<Verdict> {
  const want = `insmod ${context.module.name}.ko${args.length ? ` ${args.join(' ')}` : ''} exits 0, the module is live and the kernel reports no warning`;
  const load = await context.load(args);
  if (load.status !== 0) {
    const said = load.output ? `: ${load.output}` : '';
    return fail(want, `insmod exited with status ${load.status}${said}`, { note: `Last kernel messages:\n${await context.dmesgTail()}` });
  }
  await context.settle(SETTLE_MS);
  await context.checkMarkers();
  if (load.initstate !== 'live') return fail(want, `insmod returned 0 but /sys/module/${context.module.name}/initstate says ${load.initstate ?? 'nothing (no such module)'}`);
  const problems = healthProblems(await context.kernelHealth());
  if (problems) return fail(want, `the module loaded, but ${problems}`);
  return pass(want, `insmod exited 0 after ${Math.round(load.ms)} ms; initstate live; kernel clean`);
}

/** A GPIO line's row of /proc/interrupts: interrupts taken (summed over the CPUs) and the handlers on it. */
export interface InterruptRow {
  readonly taken: number;
  /** The names of the handlers registered on it (none once freed: the row stays while it has counts). */
  readonly handlers: readonly string[];
}

/** The row of `line` of the target's GPIO controller, or undefined when it has none. Listing a freed module's handler faults. */
export async function interruptRow(context: RubricContext, line: number): Promise<InterruptRow | undefined> {
  const chip = context.target.profile.controller.chip;
  const listed = await context.run(`grep -F '${chip}' /proc/interrupts`, { maxOutput: 4096 });
  // ` 45:   10   0  9030000.pl061   5 Edge      counter`
  const row = new RegExp(`^\\s*\\d+:([\\d\\s]+)\\s${chip.replace(/\./g, '\\.')}\\s+${line}\\s+\\S+(.*)$`);
  for (const text of listed.output.split('\n')) {
    const match = row.exec(text);
    if (!match) continue;
    const taken = match[1]!.trim().split(/\s+/).reduce((sum, n) => sum + Number(n), 0);
    return { taken, handlers: match[2]!.split(',').map((h) => h.trim()).filter(Boolean) };
  }
  return undefined;
}
