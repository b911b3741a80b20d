// The CPU ceiling: csv-parse piped into csv-stringify with default options, file to file.
// Spawned like the CLI so that process start-up is counted alike.  argv: <input> <output>
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';

const [input, output] = process.argv.slice(2);
await pipeline(createReadStream(input), parse(), stringify(), createWriteStream(output));
