#!/usr/bin/env node
/** The only module that touches `process`: wires it into the CLI and sets the exit code. */
import { run } from './run.js';

// Commands get a chance to stop cleanly (remove temporary files, keep previous outputs, let a
// scheduled run finish); a second signal ends the process at once, by that signal's default action.
// Not process.exit(): at exit libuv joins its threadpool, so one thread stuck in a blocking call
// (an open() of a FIFO nobody writes to) kept a "exited" process alive for ever. The kernel ends it
// here whatever the threads are doing; a shell sees the same status (128 + signal number).
const dieBy = (signal: 'SIGINT' | 'SIGTERM'): void => {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
};
const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    resolve(signal);
    process.once('SIGINT', () => dieBy('SIGINT'));
    process.once('SIGTERM', () => dieBy('SIGTERM'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
});

// Errors on stdout (EPIPE when `listscrub ... | head` closes the pipe early, ENOSPC on a full disk)
// belong to the command writing there: `clean -o -` fails its run with E_OUTPUT, which removes its
// temporary files and releases its lock (run.ts keeps EPIPE quiet: the reader chose to stop). This
// listener only keeps them from being an uncaught exception; exiting here, or rethrowing, would skip
// that cleanup and print a stack trace.
let stdoutError: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutError ??= error;
});

let code = await run(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interrupted,
});
if (stdoutError !== undefined && stdoutError.code !== 'EPIPE' && code === 0) {
  // A command that did not notice its output was lost (e.g. `check` on a full disk) must not say 0.
  process.stderr.write(`listscrub: cannot write standard output: ${stdoutError.message}\n`);
  code = 1;
}
process.exitCode = code;
// Exit only once everything written has left the process: on a pipe, standard output is
// asynchronous, and process.exit() dropped what was still queued (`check ... | wc -l` counted 605 of
// 2,000 lines). Then exit at once: signal handlers and idle sockets must not keep a finished run alive.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);

/** Resolves once every earlier write to `stream` has been handed to the OS (or the stream failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  // A write's callback runs after the writes queued before it; errors (EPIPE) end the wait too.
  return new Promise((resolve) => stream.write('', () => resolve()));
}
