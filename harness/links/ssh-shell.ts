/**
 * Commands over SSH for a Target: one interactive shell channel on the one reused connection, framed like a console
 * (harness/links/shell.ts). An exec channel per command would make the remote side fork a shell each time (25-40 ms
 * on an emulated guest, against about 4 ms here: bench/ssh.ts). When the connection drops, the next command
 * reconnects (SshLink's own bounded retries) and opens a fresh shell. For stdout and stderr apart, use `ssh.run`.
 */
import { ConsoleLog } from './console-log.js';
import { Shell, type CommandResult, type RunOptions } from './shell.js';
import type { SshLink, SshShellStream } from './ssh.js';

/** How long a fresh shell channel gets to show its prompt before it is synced anyway. */
const FIRST_OUTPUT_MS = 3_000;

export class SshShell {
  private readonly log = new ConsoleLog();
  private shell: Shell | undefined;
  private stream: SshShellStream | undefined;
  private opening: Promise<Shell> | undefined;

  constructor(readonly ssh: SshLink) {}

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    return (await this.current()).run(command, options);
  }

  async check(command: string, options: RunOptions = {}): Promise<string> {
    return (await this.current()).check(command, options);
  }

  /** What the shell channel showed (bounded), in place of a console log. */
  transcript(): string {
    return this.log.contents();
  }

  async close(): Promise<void> {
    await this.stream?.close();
  }

  private current(): Promise<Shell> {
    if (this.shell) return Promise.resolve(this.shell);
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(): Promise<Shell> {
    await this.ssh.run('true'); // reconnects first if the last connection dropped
    const stream = await this.ssh.openShell();
    const shell = new Shell(stream, undefined, this.log);
    stream.onClose(() => {
      if (this.shell === shell) this.shell = undefined;
    });
    try {
      // sync() starts with a ^C, and a ^C that reaches a shell still starting (before it ignores SIGINT) ends it: on a
      // busy host a fresh channel closed at once. So first its prompt; a shell that shows none is synced after 3 s.
      await shell.waitForText(/\S/, FIRST_OUTPUT_MS).catch((error: unknown) => {
        if (shell.closedBecause !== undefined) throw error;
      });
      await shell.sync();
    } catch (error) {
      await stream.close();
      throw error;
    }
    this.stream = stream;
    this.shell = shell;
    return shell;
  }
}
