/**
 * @file torch.optim: optimizers (SGD, Adam, AdamW, RMSprop, Adagrad), their base class, and `lrScheduler`.
 */

export type { AdamOptions } from './adam.js';
export { Adam, AdamW } from './adam.js';
export * as lrScheduler from './lr-scheduler.js';
export type { OptimizerStateDict, ParamGroup, ParamState, ParamsArg, ZeroGradOptions } from './optimizer.js';
export { Optimizer } from './optimizer.js';
export type { AdagradOptions, RMSpropOptions } from './rmsprop.js';
export { Adagrad, RMSprop } from './rmsprop.js';
export type { SGDOptions } from './sgd.js';
export { SGD } from './sgd.js';
