import { readdir, readFile } from 'node:fs/promises';

export interface ProcessInfo {
  pid: number;
  command: string;
}

/** Every live process under `root` (children, their children, ...), read from /proc; zombies do not count. */
export async function descendants(root = process.pid): Promise<ProcessInfo[]> {
  const parents = new Map<number, number[]>();
  const commands = new Map<number, string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (state === 'Z') continue;
    const pid = Number(entry);
    parents.set(Number(ppid), [...(parents.get(Number(ppid)) ?? []), pid]);
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    commands.set(pid, cmdline.split('\0').filter(Boolean).join(' ').slice(0, 200) || stat.slice(stat.indexOf('(') + 1, close));
  }
  const found: ProcessInfo[] = [];
  const queue = [...(parents.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    found.push({ pid, command: commands.get(pid) ?? '?' });
    queue.push(...(parents.get(pid) ?? []));
  }
  return found;
}
