/**
 * Bad input, with where it was found (a file and line or zip member, a pin, a register, a target) and what was wrong.
 * The CLI prints `where: problem` without a stack trace: the user needs the place, not our call chain.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}
