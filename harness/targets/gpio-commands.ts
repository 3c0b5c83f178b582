/**
 * The guest-side command lines behind the GPIO verbs (harness/targets/guest-gpio.ts), for sysfs and for libgpiod 1.x's
 * tools on the character device. Everything pasted into a command is checked here first: line and sysfs numbers are
 * integers, chip labels and pad names match what a label can hold, durations are whole microseconds.
 */
import { InputError } from '../errors.js';

/** The guest folder where verbs keep their watches' output and pid files; removed on release. */
export const GUEST_GPIO_DIR = '/tmp/pinrig-gpio';

export type Edge = 'rising' | 'falling';
export type EdgeFilter = Edge | 'both';

const LABEL = /^[\w.:-]+$/;

export function checkedLabel(label: string, what: string): string {
  if (!LABEL.test(label)) throw new InputError(what, `${JSON.stringify(label)} has characters a gpiochip label or pad name cannot have`);
  return label;
}

export function checkedInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InputError(what, `expected a whole number ≥ 0, got ${value}`);
  return value;
}

/** Seconds as `sleep` takes them (busybox and coreutils both take fractions), to the microsecond. */
export function sleepArg(seconds: number): string {
  return (Math.round(seconds * 1e6) / 1e6).toFixed(6);
}

// --- sysfs -------------------------------------------------------------------------------------------------------

/**
 * Exports a sysfs GPIO as an output at `initial` (direction high/low sets both at once: no glitch) and prints its
 * folder: gpioN on mainline kernels, the pad's name on L4T.
 */
export function sysfsExportOutput(gpio: number, pad: string, initial: 0 | 1): string {
  const n = checkedInteger(gpio, 'sysfs GPIO number');
  return `echo ${n} > /sys/class/gpio/export && d=/sys/class/gpio/gpio${n} && { [ -d $d ] || d=/sys/class/gpio/${checkedLabel(pad, 'pad')}; } && echo ${initial ? 'high' : 'low'} > $d/direction && echo $d`;
}

export function sysfsUnexport(gpio: number): string {
  return `echo ${checkedInteger(gpio, 'sysfs GPIO number')} > /sys/class/gpio/unexport`;
}

/** A sysfs folder as printed by sysfsExportOutput, checked before it goes back into a command. */
export function checkedSysfsFolder(folder: string): string {
  if (!/^\/sys\/class\/gpio\/[\w.:-]+$/.test(folder)) throw new InputError('sysfs GPIO folder', `the guest printed ${JSON.stringify(folder.slice(0, 80))}, not a /sys/class/gpio folder`);
  return folder;
}

/** `count` pulses (or one) on an exported output, timed by the guest: one open file, one shell loop; 0 s: no sleep. */
export function sysfsPulses(folder: string, level: 0 | 1, count: number, activeS: number, idleS: number): string {
  const [on, off] = [level, 1 - level];
  const n = checkedInteger(count, 'pulse count');
  const body = [
    `echo ${on} >&3`,
    ...(activeS > 0 ? [`sleep ${sleepArg(activeS)}`] : []),
    `echo ${off} >&3`,
    'i=$((i+1))',
    ...(idleS > 0 ? [`[ $i -lt ${n} ] && sleep ${sleepArg(idleS)}`] : []), // no gap after the last pulse
  ];
  const loop = `i=0; while [ $i -lt ${n} ]; do ${body.join('; ')}; done`;
  return `exec 3> ${checkedSysfsFolder(folder)}/value; ${loop}; exec 3>&-`;
}

// --- libgpiod 1.x on the character device ---------------------------------------------------------------------

const line = (chip: string, offset: number) => `${checkedLabel(chip, 'gpiochip')} ${checkedInteger(offset, 'line')}`;
const lineAt = (chip: string, offset: number, level: number) => `${line(chip, offset)}=${level ? 1 : 0}`;

export function gpiodGet(chip: string, offset: number): string {
  return `gpioget ${line(chip, offset)}`;
}

/**
 * Holds a line at a level with a gpioset that waits for a signal; prints its pid once it holds the line, or fails with
 * what gpioset said (a line in use, say).
 */
export function gpiodHold(chip: string, offset: number, level: 0 | 1, errFile: string): string {
  // `false`, never `exit`: on a console the command runs in the login shell itself.
  return `gpioset --mode=signal ${lineAt(chip, offset, level)} > /dev/null 2> ${errFile} & p=$!; sleep 0.1; if kill -0 $p 2>/dev/null; then echo $p; else cat ${errFile} >&2; false; fi`;
}

/** Whether a process runs (a zombie does not: a console shell reaps its background jobs only now and then). */
const running = (pid: number | '$p') => `case "$(cat /proc/${pid}/stat 2>/dev/null)" in ''|*') Z '*) false;; *) true;; esac`;

/** Ends a process, or with `group` its whole process group, and waits (bounded, 2 s) until it is gone. */
export function stopProcess(pid: number, group = false): string {
  const p = checkedInteger(pid, 'pid');
  return `kill -- ${group ? '-' : ''}${p} 2>/dev/null; i=0; while ${running(p)} && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done; ! ${running(p)}`;
}

/** Waits while a process runs, at most `seconds` (guest time); succeeds either way. */
export function waitWhileRunning(pid: number, seconds: number): string {
  const polls = Math.max(1, Math.ceil(seconds / 0.02));
  return `i=0; while ${running(checkedInteger(pid, 'pid'))} && [ $i -lt ${polls} ]; do sleep 0.02; i=$((i+1)); done; true`;
}

/** `count` pulses with gpioset's own timing; the line is released (and re-requested) between them. */
export function gpiodPulses(chip: string, offset: number, level: 0 | 1, count: number, activeS: number, idleS: number): string {
  const at = (value: number, s: number) => `gpioset --mode=time --usec=${Math.round(s * 1e6)} ${lineAt(chip, offset, value)}`;
  return `i=0; ok=0; while [ $i -lt ${checkedInteger(count, 'pulse count')} ] && [ $ok = 0 ]; do ${at(level, activeS)} && ${at(1 - level, idleS)}; ok=$?; i=$((i+1)); done; [ $ok = 0 ]`;
}

/**
 * gpiomon in the background, writing one `edge seconds nanoseconds` line per event to `file`; prints its pid.
 * `count` ends it after that many events.
 */
export function gpiodWatch(chip: string, offset: number, edge: EdgeFilter, file: string, count?: number): string {
  const filter = edge === 'both' ? '' : ` --${edge}-edge`;
  const limit = count === undefined ? '' : ` --num-events=${checkedInteger(count, 'edge count')}`;
  return `gpiomon${limit}${filter} --format='%e %s %n' ${line(chip, offset)} > ${file} 2>&1 & echo $!`;
}

/**
 * Arms the line's edge detection once and lets go (bounded). A watch on qemu-virt once reported, first, a falling edge
 * from before it started (ci-fresh; its count then missed the last real edge; not reproduced since): an edge left
 * latched in the controller fires when the line is unmasked, and this takes it before the watch does.
 */
export function clearStaleEdge(chip: string, offset: number): string {
  const used = gpiodLineUsedBy(chip, offset, 'gpiomon');
  const wait = `i=0; while ! ${used} && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done`;
  const gone = `i=0; while ${running('$p')} && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done`;
  return `gpiomon --num-events=1 ${line(chip, offset)} > /dev/null 2>&1 & p=$!; ${wait}; kill $p 2>/dev/null; ${gone}; true`;
}

/** Whether gpiomon (or any consumer) holds the line: then its interrupt is requested and edges are seen. */
export function gpiodLineUsedBy(chip: string, offset: number, consumer: string): string {
  return `gpioinfo ${checkedLabel(chip, 'gpiochip')} | grep -q '^[[:space:]]*line *${checkedInteger(offset, 'line')}:.*"${checkedLabel(consumer, 'consumer')}"'`;
}

/**
 * Waits (bounded, in the guest: 3 s) until the line is held by `consumer`; with `group`, by a process of that process
 * group (an answer loop's own gpiomon, not someone else's).
 */
export function waitUntilUsed(chip: string, offset: number, consumer: string, group?: number): string {
  let used = gpiodLineUsedBy(chip, offset, consumer);
  if (group !== undefined) {
    const pgid = checkedInteger(group, 'process group');
    used = `{ for p in $(pidof ${checkedLabel(consumer, 'consumer')}); do [ "$(cut -d' ' -f5 /proc/$p/stat 2>/dev/null)" = ${pgid} ] && break; p=; done; [ -n "$p" ]; } && ${used}`;
  }
  return `i=0; while ! ${used} && [ $i -lt 150 ]; do sleep 0.02; i=$((i+1)); done; ${used}`;
}

/** Parses gpiomon's `--format='%e %s %n'` lines (1 rising, 0 falling); anything else is an error naming the line. */
export function parseGpiomon(text: string, where: string): Array<{ edge: Edge; ns: number }> {
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const m = /^([01]) (\d+) (\d+)$/.exec(l.trim());
    if (!m) throw new InputError(where, `gpiomon printed ${JSON.stringify(l.slice(0, 120))}, not an event`);
    return { edge: m[1] === '1' ? 'rising' as const : 'falling' as const, ns: Number(m[2]) * 1e9 + Number(m[3]) };
  });
}

/**
 * Answers each `edge` on an input with a pulse on an output (a sysfs folder), in a session of its own whose id it
 * writes to `pidFile` (one kill of that group ends the loop and its gpiomon); counts answers in `counter`. gpiomon is
 * run once per edge: it buffers its output into a pipe, so reading it line by line would answer late.
 */
export function answerLoop(chip: string, offset: number, edge: Edge, folder: string, counter: string, pidFile: string): string {
  const wait = `gpiomon --num-events=1 --${edge}-edge ${line(chip, offset)} > /dev/null`;
  const value = `${checkedSysfsFolder(folder)}/value`;
  return `setsid sh -c 'echo $$ > ${pidFile}; exec 3> ${value}; while ${wait}; do echo 1 >&3; echo 0 >&3; echo >> ${counter}; done' > /dev/null 2>&1 < /dev/null &`;
}
