/**
 * The pinrig command line. Bad input prints `pinrig: where: problem` and exits 2; no stack trace from a library.
 * Each subcommand imports what it needs when it runs, so a quick command does not load grading or QEMU code.
 */
import { Command } from 'commander';
import { isInputError } from '../errors.js';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PINRIG_VERSION, REPO_ROOT } from '../repo-root.js';

const program = new Command('pinrig')
  .description('GPIO test harness: captures, scenarios, grading')
  .version(PINRIG_VERSION)
  .showHelpAfterError();

const capture = program.command('capture').description('read capture files (.sr, .vcd)');
capture
  .command('inspect')
  .description('sample rate, duration, channels; per channel edges, frequency, duty cycle and pulse widths')
  .argument('<file>', 'a sigrok session (.sr) or a VCD file')
  .option('--json', 'one JSON object: { samplerate, samples, channels: [{ name, edges, initial, ... }] }')
  .action(async (file: string, options: { json?: boolean }) => {
    const { formatReport, inspectCapture } = await import('./capture-inspect.js');
    const report = await inspectCapture(file);
    process.stdout.write((options.json ? JSON.stringify(report) : formatReport(report)) + '\n');
  });

capture
  .command('convert')
  .description('write a capture as .sr or .vcd (by the output name), optionally some channels over a time window')
  .argument('<in>', 'a .sr or .vcd file')
  .argument('<out>', 'the file to write: NAME.sr or NAME.vcd')
  .option('--channels <names>', 'comma-separated channels to keep (default: all)')
  .option('--from <time>', "start of the window, e.g. '1.5ms' (default: the start)")
  .option('--to <time>', "end of the window, e.g. '20ms' (default: the end)")
  .action(async (input: string, output: string, options: { channels?: string; from?: string; to?: string }) => {
    const { convertCapture } = await import('./capture-convert.js');
    const said = await convertCapture(input, output, { ...options, channels: options.channels?.split(',').map((c) => c.trim()) });
    process.stderr.write(said + '\n');
  });
capture
  .command('diff')
  .description('compare B with A channel by channel: edge counts, largest time offset, first difference; exit 1 when they differ')
  .argument('<a>', 'the reference capture (.sr or .vcd)')
  .argument('<b>', 'the capture compared with it')
  .option('--tolerance <t>', "how far an edge of B may be from A's, e.g. '5us' or '1%' (default: exact)")
  .option('--channels <names>', "comma-separated channels of A to compare (default: all of A's)")
  .option('--json', 'one JSON object: { same, channels: [{ name, edgesA, edgesB, maxOffset, firstDifference? }] }')
  .action(async (a: string, b: string, options: { tolerance?: string; channels?: string; json?: boolean }) => {
    const { diffCaptures, formatDiff } = await import('./capture-diff.js');
    const diff = await diffCaptures(a, b, { ...(options.tolerance ? { tolerance: options.tolerance } : {}), channels: options.channels?.split(',').map((c) => c.trim()) });
    process.stdout.write((options.json ? JSON.stringify(diff) : formatDiff(diff, a, b)) + '\n');
    if (!diff.same) process.exitCode = 1;
  });

const board = program.command('board').description('board profiles (fixtures/boards/*.yaml)');
board
  .command('check')
  .description('validate a board profile alone: every problem as file:line: field, with the nearest known key or pin')
  .argument('<file>', 'a board profile (YAML)')
  .action(async (file: string) => {
    const { checkBoard } = await import('./board-check.js');
    const { summary, notes } = checkBoard(file);
    for (const note of notes) process.stderr.write(note + '\n');
    process.stdout.write(summary + '\n');
  });

program
  .command('grade')
  .description('build each student driver, load it into its own fresh guest, run the rubric, write grades and feedback')
  .argument('<submissions-dir>', 'one subfolder per student, named by the student id, holding .c/.h files')
  .requiredOption('--assignment <name>', 'the assignment under scenarios/grading/ (blink, counter)')
  .option('--out <dir>', 'grades.csv, junit.xml, feedback/ and the cache of unchanged results', 'reports/grades')
  .option('--workers <n>', 'submissions graded at once, one guest each (keep a core per guest)', '2')
  .option('--force', 'grade every submission again, even when unchanged')
  .option('--similarity-threshold <share>', 'flag pairs of submissions at least this similar (0-1, default 0.75) in similarity.html; grades never change')
  .action(async (submissionsDir: string, options: { assignment: string; out: string; workers: string; force?: boolean; similarityThreshold?: string }) => {
    // Rubrics are TypeScript under scenarios/grading/, loaded by tsx, and they share harness classes with the grader
    // (a rubric throws SubmissionEnded, the grader tests instanceof): so grading runs from the same sources through
    // tsx, not from this bundle's copies.
    (await import('tsx/esm/api')).register();
    const source = (file: string) => import(pathToFileURL(path.join(REPO_ROOT, 'harness', file)).href);
    const [{ gradeBatch }, { GradeProgress }, { summaryText }] = (await Promise.all([
      source('grading/batch.ts'), source('grading/progress.ts'), source('grading/reports.ts'),
    ])) as [typeof import('../grading/batch.js'), typeof import('../grading/progress.js'), typeof import('../grading/reports.js')];
    const progress = new GradeProgress(process.stderr);
    const outcome = await gradeBatch({
      submissionsDir, assignment: options.assignment, outDir: options.out, workers: Number(options.workers), force: options.force ?? false,
      ...(options.similarityThreshold === undefined ? {} : { similarityThreshold: Number(options.similarityThreshold) }),
      onEvent: progress.onEvent, ...(process.env.PINRIG_QEMU ? { qemu: process.env.PINRIG_QEMU } : {}),
    }).finally(() => progress.finish());
    process.stdout.write(summaryText(outcome) + '\n');
    // Something the teacher must look at: a harness error, or a folder that was not graded.
    if (outcome.results.some((r) => r.status === 'error') || outcome.refused.length) process.exitCode = 1;
  });

try {
  await program.parseAsync();
} catch (error) {
  if (isInputError(error)) {
    process.stderr.write(`pinrig: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`pinrig: ${(error as Error).message}\n`);
  process.exit(1);
}
