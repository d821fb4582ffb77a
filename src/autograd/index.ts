/**
 * @file torch.autograd: backward, grad, custom Functions, gradcheck, functional jacobian/hessian, anomaly mode.
 */
export { backward, grad } from './engine.js';
export type { BackwardOptions, GradOptions } from './engine.js';
export { detectAnomaly, isAnomalyEnabled } from '../graph/grad-mode.js';
