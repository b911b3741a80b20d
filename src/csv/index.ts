/** The CSV input/output layer: see read.ts (reading) and write.ts (writing). */
export {
  openCsvInput,
  detectDelimiter,
  findEmailColumn,
  isMalformedItem,
  DEFAULT_MAX_RECORD_SIZE,
  type CsvInput,
  type CsvInputOptions,
  type CsvInputItem,
  type CsvRecordItem,
  type CsvMalformedItem,
  type CsvColumn,
  type CsvEncoding,
  type InputEncoding,
} from './read.js';
export {
  createAtomicFileWriter,
  cleanStaleTempFiles,
  createCsvWriter,
  neutralizeFormula,
  type AtomicWriter,
  type AtomicWriterOptions,
  type CsvWriterOptions,
} from './write.js';
export { normalizeHeaderName, looksLikeAddress, type EmailColumnMatch } from './detect.js';
