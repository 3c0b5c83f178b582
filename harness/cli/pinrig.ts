/**
 * The pinrig command line. Bad input prints `pinrig: where: problem` and exits 2; no stack trace from a library.
 */
import { Command } from 'commander';
import { InputError } from '../errors.js';
import { formatReport, inspectCapture } from './capture-inspect.js';

const program = new Command('pinrig').description('GPIO test harness: captures, scenarios, grading').showHelpAfterError();

const capture = program.command('capture').description('read capture files (.sr, .vcd)');
capture
  .command('inspect')
  .description('sample rate, duration, channels; per channel edges, frequency, duty cycle and pulse widths')
  .argument('<file>', 'a sigrok session (.sr) or a VCD file')
  .option('--json', 'one JSON object: { samplerate, samples, channels: [{ name, edges, initial, ... }] }')
  .action(async (file: string, options: { json?: boolean }) => {
    const report = await inspectCapture(file);
    process.stdout.write((options.json ? JSON.stringify(report) : formatReport(report)) + '\n');
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof InputError) {
    process.stderr.write(`pinrig: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`pinrig: ${(error as Error).message}\n`);
  process.exit(1);
}
