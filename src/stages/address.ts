/** The address stage: syntax, repairs, typos, disposable and role findings, offline (src/address). */
import { analyzeAddress } from '../address/index.js';
import type { AddressStage } from './types.js';

export const addressStage: AddressStage = { name: 'address', check: analyzeAddress };
