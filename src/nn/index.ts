/**
 * @file torch.nn: Module and Parameter, layers, containers, losses, `functional` and `init`.
 */

export { ModuleDict, ModuleList, Sequential } from './container.js';
export * as functional from './functional.js';
export * as init from './init.js';
export type { BatchNormOptions, Conv2dOptions, FactoryOptions } from './layers.js';
export {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Dropout,
  Embedding,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  MaxPool2d,
  ReLU,
  Sigmoid,
  SiLU,
  Softmax,
  Tanh,
} from './layers.js';
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from './loss.js';
export type { ForwardHook, ForwardPreHook, IncompatibleKeys, RemovableHandle, StateDict } from './module.js';
export { Module } from './module.js';
export { Parameter } from './parameter.js';
