/** Bad command-line input: the CLI prints it with the usage line and exits 2. */
export class UsageError extends Error {}
