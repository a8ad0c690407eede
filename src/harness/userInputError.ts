/**
 * An error the user can fix (bad plan file, bad seed, unknown plan). The CLI prints its message
 * as one line and exits with code 2; it never shows a stack trace for these.
 */
export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}
