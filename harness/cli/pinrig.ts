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

/** The grading sources, run through tsx: rubrics are TypeScript and share classes with the grader (see below). */
async function gradingSources() {
  // Rubrics are TypeScript under scenarios/grading/, loaded by tsx, and they share harness classes with the grader
  // (a rubric throws SubmissionEnded, the grader tests instanceof): so grading runs from the same sources through
  // tsx, not from this bundle's copies.
  (await import('tsx/esm/api')).register();
  const source = (file: string) => import(pathToFileURL(path.join(REPO_ROOT, 'harness', file)).href);
  const [run, progress, reports] = (await Promise.all([source('grading/class-run.ts'), source('grading/progress.ts'), source('grading/reports.ts')])) as [
    typeof import('../grading/class-run.js'), typeof import('../grading/progress.js'), typeof import('../grading/reports.js'),
  ];
  return { ...run, ...progress, ...reports };
}

/** Prints the summary; something the teacher must look at (a harness error, a folder not graded) makes exit 1. */
function reportClass(outcome: import('../grading/class-run.js').ClassOutcome, summaryText: typeof import('../grading/reports.js').summaryText): void {
  process.stdout.write(summaryText(outcome) + '\n');
  if (outcome.results.some((r) => r.status === 'error') || outcome.refused.length) process.exitCode = 1;
}

const threshold = (value: string | undefined) => (value === undefined ? {} : { similarityThreshold: Number(value) });

program
  .command('grade')
  .description('build each student driver, load it into a clean guest of its own, run the rubric, write grades and feedback')
  .argument('<submissions-dir>', 'one subfolder per student, named by the student id, holding .c/.h files')
  .requiredOption('--assignment <name>', 'the assignment under scenarios/grading/ (blink, counter, ...)')
  .option('--out <dir>', 'grades.csv, junit.xml, feedback/, the class page, the exports and the cache of unchanged results', 'reports/grades')
  .option('--workers <n>', 'submissions graded at once, one guest each (keep a core per guest)', '2')
  .option('--force', 'grade every submission again, even when unchanged')
  .option('--shard <i/n>', "grade only this machine's slice of the class; join the slices' --out folders with `pinrig grade-merge`")
  .option('--similarity-threshold <share>', 'flag pairs of submissions at least this similar (0-1, default 0.75) in similarity.html; grades never change')
  .action(async (submissionsDir: string, options: { assignment: string; out: string; workers: string; force?: boolean; shard?: string; similarityThreshold?: string }) => {
    const { gradeClass, GradeProgress, summaryText } = await gradingSources();
    const progress = new GradeProgress(process.stderr);
    const outcome = await gradeClass({
      submissionsDir, assignment: options.assignment, outDir: options.out, workers: Number(options.workers), force: options.force ?? false,
      ...(options.shard ? { shard: options.shard } : {}), ...threshold(options.similarityThreshold), onEvent: progress.onEvent,
    }).finally(() => progress.finish());
    reportClass(outcome, summaryText);
  });

program
  .command('grade-merge')
  .description('join the --out folders of a class graded in slices (pinrig grade --shard i/n) into one set of outputs')
  .argument('<submissions-dir>', 'the same submissions folder the slices were graded from')
  .argument('<slices...>', "each slice's --out folder")
  .requiredOption('--assignment <name>', 'the assignment the slices were graded for')
  .option('--out <dir>', 'where the joined grades.csv, junit.xml, feedback/, class page and exports go', 'reports/grades')
  .option('--similarity-threshold <share>', 'as for grade')
  .action(async (submissionsDir: string, slices: string[], options: { assignment: string; out: string; similarityThreshold?: string }) => {
    const { mergeClass, summaryText } = await gradingSources();
    const outcome = await mergeClass({ submissionsDir, assignment: options.assignment, outDir: options.out, slices, ...threshold(options.similarityThreshold) });
    reportClass(outcome, summaryText);
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
