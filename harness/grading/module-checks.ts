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
