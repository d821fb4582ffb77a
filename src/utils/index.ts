/**
 * @file torch.utils: `data` (datasets, samplers, DataLoader, randomSplit).
 */
export * as data from './data.js';
