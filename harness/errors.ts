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

/**
 * Whether an error is bad input, also when it comes from another copy of this module (the CLI runs from a bundle,
 * grading from the sources: `instanceof` cannot see across the two).
 */
export function isInputError(error: unknown): error is InputError {
  return error instanceof Error && typeof (error as InputError).where === 'string' && typeof (error as InputError).problem === 'string';
}
