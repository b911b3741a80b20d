/**
 * `--split`: a record whose email cell lists several addresses (`a@x.com; b@y.com`) becomes one
 * record per address, the other columns copied, so each address is checked and deduplicated on its
 * own. The splitter sits between the CSV reader and the scrub stream; the stream keeps order, so the
 * router learns which source record each row came from by taking them from `sources` in turn.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { addressesInCell } from './address/index.js';
import type { CsvInputItem } from './csv/read.js';

export interface Splitter {
  transform: Transform;
  /** The source record number of the next row the router sees (call once per routed row). */
  nextSource(): number;
  /** Rows made beyond the source records so far. */
  readonly extraRows: number;
}

export function createSplitter(column: number): Splitter {
  // A queue as an array and a read position: rows in flight are bounded by the scrub stream's window.
  let sources: number[] = [];
  let read = 0;
  let extraRows = 0;
  const transform = new Transform({
    objectMode: true,
    transform(item: CsvInputItem, _encoding: BufferEncoding, callback: TransformCallback) {
      if ('malformed' in item) {
        sources.push(item.malformed.index);
        return callback(null, item);
      }
      const parts = column < item.record.length ? addressesInCell(item.record[column]!) : null;
      if (parts === null) {
        sources.push(item.info.index);
        return callback(null, item);
      }
      for (const part of parts) {
        const record = item.record.slice();
        record[column] = part;
        sources.push(item.info.index);
        this.push({ record, info: item.info });
      }
      extraRows += parts.length - 1;
      callback();
    },
  });
  return {
    transform,
    nextSource() {
      const source = sources[read++] ?? 0;
      if (read > 4096) {
        sources = sources.slice(read);
        read = 0;
      }
      return source;
    },
    get extraRows() {
      return extraRows;
    },
  };
}
