/**
 * @file torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR (PyTorch's
 * chainable formulas, so sequences match step for step) and ReduceLROnPlateau.
 */
import { check } from '../util/assert.js';
import type { Optimizer } from './optimizer.js';

// biome-ignore lint/suspicious/noExplicitAny: schedulers work with every optimizer's hyperparameters
type AnyOptimizer = Optimizer<any>;
type Group = { lr: number; initialLr?: number };

const pyMod = (a: number, b: number): number => ((a % b) + b) % b;

/**
 * Base class of epoch-based schedulers: `step()` advances `lastEpoch` and writes `getLr()` into every group.
 * Subclasses set their fields and then call `initialStep()`, as PyTorch's constructors end with one step.
 * @example class Half extends LRScheduler { constructor(o: Optimizer<any>) { super(o); this.initialStep(); } getLr() { return this.groups().map((g) => g.lr / 2); } }
 */
export abstract class LRScheduler {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: AnyOptimizer;
  /** Index of the last epoch (−1 before the first step). */
  lastEpoch: number;
  /** Each group's initial learning rate. */
  baseLrs: number[];
  protected stepCount = 0;
  private lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer, lastEpoch = -1) {
    this.optimizer = optimizer;
    const groups = optimizer.paramGroups as Group[];
    if (lastEpoch === -1) for (const g of groups) g.initialLr = g.lr;
    else
      groups.forEach((g, i) => {
        check(
          g.initialLr !== undefined,
          () => `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`,
        );
      });
    this.baseLrs = groups.map((g) => g.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The optimizer's groups as this scheduler sees them. */
  protected groups(): Group[] {
    return this.optimizer.paramGroups as Group[];
  }

  /** The first step, taken at construction (subclasses call it last in their constructors). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The learning rate of each group for the current `lastEpoch`. */
  abstract getLr(): number[];

  /**
   * Advances one epoch and sets every group's `lr` (call after `optimizer.step()`).
   * @example for (let epoch = 0; epoch < 10; epoch++) { train(); scheduler.step(); }
   */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const lrs = this.getLr();
    this.groups().forEach((g, i) => {
      g.lr = lrs[i]!;
    });
    this.lastLr = this.groups().map((g) => g.lr);
  }

  /** The learning rates set by the last step. @example scheduler.getLastLr() // [0.01] */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's counters and settings (not the optimizer). @example const s = sched.stateDict() */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = { lastLr: [...this.lastLr] };
    for (const [k, v] of Object.entries(this))
      if (k !== 'optimizer' && typeof v !== 'function') out[k] = Array.isArray(v) ? [...v] : v;
    return out;
  }

  /** Restores `stateDict()`. @example sched.loadStateDict(s) */
  loadStateDict(sd: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(sd)) {
      if (k === 'lastLr') this.lastLr = [...(v as number[])];
      else if (k !== 'optimizer' && k in this) {
        const rec = this as unknown as Record<string, unknown>;
        rec[k] = rec[k] instanceof Map ? new Map(v as [unknown, unknown][]) : Array.isArray(v) ? [...v] : v;
      }
    }
  }
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs.
 * @example const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, stepSize: number, opts: { gamma?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.stepSize = stepSize;
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma);
  }
}

/**
 * Multiplies the learning rate by `gamma` at each milestone epoch.
 * @example new optim.lrScheduler.MultiStepLR(opt, [30, 80], { gamma: 0.1 })
 */
export class MultiStepLR extends LRScheduler {
  readonly milestones: Map<number, number>;
  readonly gamma: number;
  constructor(
    optimizer: AnyOptimizer,
    milestones: readonly number[],
    opts: { gamma?: number; lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = opts.gamma ?? 0.1;
    this.initialStep();
  }
  getLr(): number[] {
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma ** n);
  }
  override stateDict(): Record<string, unknown> {
    return { ...super.stateDict(), milestones: [...this.milestones] };
  }
}

/**
 * Multiplies the learning rate by `gamma` every epoch.
 * @example new optim.lrScheduler.ExponentialLR(opt, 0.95)
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, gamma: number, opts: { lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.gamma = gamma;
    this.initialStep();
  }
  getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups().map((g) => g.lr);
    return this.groups().map((g) => g.lr * this.gamma);
  }
}

/**
 * Cosine annealing from the initial learning rate down to `etaMin` over `tMax` epochs (PyTorch's recursive form,
 * so it composes with other changes to `lr`).
 * @example new optim.lrScheduler.CosineAnnealingLR(opt, 100, { etaMin: 1e-5 })
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, tMax: number, opts: { etaMin?: number; lastEpoch?: number } = {}) {
    super(optimizer, opts.lastEpoch ?? -1);
    this.tMax = tMax;
    this.etaMin = opts.etaMin ?? 0;
    this.initialStep();
  }
  getLr(): number[] {
    const { tMax: T, etaMin: eta, lastEpoch: e } = this;
    const groups = this.groups();
    if (e === 0) return groups.map((g) => g.lr);
    if (this.stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => eta + ((b - eta) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if (pyMod(e - 1 - T, 2 * T) === 0)
      return groups.map((g, i) => g.lr + ((this.baseLrs[i]! - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    return groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (g.lr - eta) + eta,
    );
  }
}

/**
 * Sets each group's learning rate to its initial value times `lrLambda(epoch)`.
 * @example new optim.lrScheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(
    optimizer: AnyOptimizer,
    lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[],
    opts: { lastEpoch?: number } = {},
  ) {
    super(optimizer, opts.lastEpoch ?? -1);
    const n = optimizer.paramGroups.length;
    if (typeof lrLambda === 'function') this.lambdas = Array.from({ length: n }, () => lrLambda);
    else {
      check(lrLambda.length === n, () => `Expected ${n} lr_lambdas, but got ${lrLambda.length}`);
      this.lambdas = [...lrLambda];
    }
    this.initialStep();
  }
  getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lambdas[i]!(this.lastEpoch));
  }
  override stateDict(): Record<string, unknown> {
    const { lambdas: _fns, ...rest } = super.stateDict();
    return rest;
  }
}

/** Options of ReduceLROnPlateau. @example { mode: 'min', factor: 0.5, patience: 5 } */
export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | readonly number[];
  eps?: number;
}

/**
 * Lowers the learning rate by `factor` when a metric has stopped improving for `patience` epochs.
 * @example const sched = new optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 3 }); sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.factor = opts.factor ?? 0.1;
    check(this.factor < 1, 'Factor should be < 1.0.');
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    if (typeof minLr === 'number') this.minLrs = Array.from({ length: n }, () => minLr);
    else {
      check(minLr.length === n, () => `expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = [...minLr];
    }
    this.mode = opts.mode ?? 'min';
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    check(this.mode === 'min' || this.mode === 'max', () => `mode ${this.mode} is unknown!`);
    check(
      this.thresholdMode === 'rel' || this.thresholdMode === 'abs',
      () => `threshold mode ${this.thresholdMode} is unknown!`,
    );
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    this.best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = (optimizer.paramGroups as Group[]).map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min')
      return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /**
   * Records one epoch's metric (a number or a one-element tensor) and lowers the learning rates if it plateaued.
   * @example sched.step(valLoss)
   */
  step(metrics: number | { item(): number }): void {
    const current = typeof metrics === 'number' ? metrics : metrics.item();
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      (this.optimizer.paramGroups as Group[]).forEach((g, i) => {
        const old = g.lr;
        const next = Math.max(old * this.factor, this.minLrs[i]!);
        if (old - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = (this.optimizer.paramGroups as Group[]).map((g) => g.lr);
  }

  /** The learning rates after the last step. @example sched.getLastLr() */
  getLastLr(): number[] {
    return [...this.lastLr];
  }
}
