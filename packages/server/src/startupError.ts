/**
 * An operator mistake found while starting (an option, the database, the port, the secret, the data
 * directory). The message is one actionable line: the CLI prints it alone, without a stack trace, and
 * exits 2.
 */
export class StartupError extends Error {}
