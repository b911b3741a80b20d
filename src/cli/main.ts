#!/usr/bin/env node
/** The only module that touches `process`: wires it into the CLI and sets the exit code. */
import { run } from './run.js';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

// Commands get a chance to stop cleanly (remove temporary files, keep previous outputs, let a
// scheduled run finish); a second signal exits at once.
const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    resolve(signal);
    process.once('SIGINT', () => process.exit(SIGNAL_EXIT.SIGINT));
    process.once('SIGTERM', () => process.exit(SIGNAL_EXIT.SIGTERM));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
});

// `listscrub ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interrupted,
});
process.exitCode = code;
// Signal handlers and idle sockets must not keep a finished run alive.
process.exit(code);
