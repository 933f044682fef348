#!/usr/bin/env node
import { main } from '../dist/main.js';

// A closed pipe downstream (skywarden ... | head) ends the program at once, as a process
// killed by SIGPIPE does: exit code 141 (128 + 13), so a script with `set -o pipefail` knows
// the output was cut short, and one line saying so while standard error is still open.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') {
      if (stream === process.stdout) {
        try {
          process.stderr.write('skywarden: the output was closed before the run ended (broken pipe): what was written is cut short\n');
        } catch {
          // standard error closed too: nothing more to say
        }
      }
      process.exit(141);
    }
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`skywarden: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
