/**
 * @file Global autograd modes: grad recording (noGrad/enableGrad), inference mode and anomaly detection.
 * Plain module state, as PyTorch's thread-local GradMode is on the single JS thread.
 */
import { checkType } from '../util/assert.js';

const state = { grad: true, inference: false, anomaly: false, anomalyCheckNan: true };

/**
 * True when ops record the graph.
 * @example torch.isGradEnabled() // true
 */
export function isGradEnabled(): boolean {
  return state.grad;
}

/**
 * Turns graph recording on or off globally.
 * @example torch.setGradEnabled(false)
 */
export function setGradEnabled(flag: boolean): void {
  checkType(typeof flag === 'boolean', () => `setGradEnabled(): expected a boolean, got ${typeof flag}`);
  state.grad = flag;
}

/**
 * Runs `fn` with recording off: the cheap internal form of `noGrad` used around every op's forward.
 * @example withGradDisabled(() => kUnary('exp', x))
 */
export function withGradDisabled<R>(fn: () => R): R {
  const prev = state.grad;
  state.grad = false;
  try {
    return fn();
  } finally {
    state.grad = prev;
  }
}

/**
 * Sets grad recording without checks and returns what it was: for internal code that restores it in a `finally`
 * and runs on every op, where `withGradDisabled`'s closure would cost an allocation.
 * @example const prev = exchangeGradEnabled(false); try { ... } finally { exchangeGradEnabled(prev); }
 */
export function exchangeGradEnabled(flag: boolean): boolean {
  const prev = state.grad;
  state.grad = flag;
  return prev;
}

/**
 * True inside `inferenceMode`.
 * @example torch.isInferenceModeEnabled() // false
 */
export function isInferenceModeEnabled(): boolean {
  return state.inference;
}

function withState<R>(patch: Partial<typeof state>, fn: () => R, name: string): R {
  checkType(
    typeof fn === 'function',
    () => `${name}() expects a function to run, e.g. torch.${name}(() => model.forward(x)); got ${typeof fn}`,
  );
  const saved = { ...state };
  Object.assign(state, patch);
  let restoreNow = true;
  try {
    const r = fn();
    if (r instanceof Promise) {
      restoreNow = false;
      return r.finally(() => Object.assign(state, saved)) as R;
    }
    return r;
  } finally {
    if (restoreNow) Object.assign(state, saved);
  }
}

/**
 * Runs `fn` without recording the graph (torch.no_grad) and returns its result.
 * @example torch.noGrad(() => w.sub_(w.grad.mul(0.1)))
 */
export function noGrad<R>(fn: () => R): R {
  return withState({ grad: false }, fn, 'noGrad');
}

/**
 * Runs `fn` with graph recording on (torch.enable_grad), even inside `noGrad`.
 * @example torch.noGrad(() => torch.enableGrad(() => x.mul(2)))
 */
export function enableGrad<R>(fn: () => R): R {
  return withState({ grad: true }, fn, 'enableGrad');
}

/**
 * Runs `fn` in inference mode: no graph, and the tensors it makes can never join a graph later.
 * @example const y = torch.inferenceMode(() => model.forward(x));
 */
export function inferenceMode<R>(fn: () => R): R {
  return withState({ grad: false, inference: true }, fn, 'inferenceMode');
}

/**
 * Runs `fn` with anomaly detection: backward names the node whose gradient became NaN and where it was made.
 * @example torch.autograd.detectAnomaly(() => loss.backward())
 */
export function detectAnomaly<R>(fn: () => R, checkNan = true): R {
  return withState({ anomaly: true, anomalyCheckNan: checkNan }, fn, 'autograd.detectAnomaly');
}

/**
 * True inside `detectAnomaly`.
 * @example torch.autograd.isAnomalyEnabled() // false
 */
export function isAnomalyEnabled(): boolean {
  return state.anomaly;
}

/** True when anomaly mode also checks backward outputs for NaN. @example isAnomalyCheckNanEnabled() */
export function isAnomalyCheckNanEnabled(): boolean {
  return state.anomalyCheckNan;
}
