/**
 * @file The public face of tsgrad: `import * as torch from 'tsgrad'`. Re-exports only.
 */

export { getNumThreads, setNumThreads } from './backend/threads/api.js';
export { bool, DType, float32, float64, int32 } from './core/dtype.js';
export { defaultGenerator, Generator, manualSeed } from './core/random.js';
export {
  enableGrad,
  inferenceMode,
  isGradEnabled,
  isInferenceModeEnabled,
  noGrad,
  setGradEnabled,
} from './graph/grad-mode.js';
export { Node } from './graph/node.js';
export * as autograd from './tensor/autograd.js';
export type { CreateOptions, RandomOptions } from './tensor/create.js';
export {
  arange,
  empty,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randLike,
  randn,
  randnLike,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from './tensor/create.js';
export { getPrintOptions, setPrintOptions } from './tensor/format.js';
export type { NestedData } from './tensor/from-data.js';
export * from './tensor/functions.js';
export { var_ as var } from './tensor/functions.js';
export type { BackwardOptions, NestedList, TensorOrNumber, ValuesIndices } from './tensor/tensor.js';
export { Tensor } from './tensor/tensor.js';

import { float32, float64, int32 } from './core/dtype.js';
/** Alias of float32. @example torch.float === torch.float32 */
export const float = float32;
/** Alias of float64. @example torch.double === torch.float64 */
export const double = float64;
/** Alias of int32. @example torch.int === torch.int32 */
export const int = int32;
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export { load, save } from './serialization/safetensors.js';
export * as utils from './utils/index.js';
