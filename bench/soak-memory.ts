/**
 * @file Memory soak: 10,000 training steps (an MLP with dropout and batch norm, Adam, a StepLR schedule, a
 * DataLoader over a TensorDataset) printing the JS heap, the wasm heap and the RSS every 1,000 steps, in one
 * synchronous loop (the way tutorials write it); memory must stay flat, i.e. the graph,
 * the saved tensors and the optimizer temporaries of each step are all released. Not part of `npm test`.
 * Run: node --expose-gc --import tsx bench/soak-memory.ts [steps]
 */
import { getBackend } from '../src/backend/devices.js';
import * as torch from '../src/index.js';

const { nn, optim } = torch;
const steps = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc)
  console.warn('run with --expose-gc for exact numbers (heap figures include garbage not yet collected)');

torch.manualSeed(0);
const x = torch.randn(512, 32);
const y = torch.randint(0, 10, [512], { dtype: torch.int32 });
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), {
  batchSize: 64,
  shuffle: true,
});
const model = new nn.Sequential(
  new nn.Linear(32, 64),
  new nn.BatchNorm1d(64),
  new nn.ReLU(),
  new nn.Dropout(0.1),
  new nn.Linear(64, 10),
);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const scheduler = new optim.lrScheduler.StepLR(optimizer, 1000, { gamma: 0.9 });

const mb = (n: number): string => (n / 2 ** 20).toFixed(2).padStart(7);
const samples: number[] = [];
let step = 0;
const t0 = performance.now();
console.log(' step    heap MB  wasm MB   rss MB   loss');
/** The wasm heap's size (absent on the plain TS backend). */
const wasmBytes = (): number => (getBackend('cpu') as { heap?: { heapBytes: number } }).heap?.heapBytes ?? 0;
while (step < steps) {
  for (const [xb, yb] of loader as Iterable<torch.Tensor[]>) {
    optimizer.zeroGrad();
    const loss = nn.functional.crossEntropy(model(xb!) as torch.Tensor, yb!);
    loss.backward();
    optimizer.step();
    step++;
    if (step % 1000 === 0) {
      scheduler.step();
      gc?.();
      const m = process.memoryUsage();
      samples.push(m.heapUsed);
      console.log(
        `${String(step).padStart(5)}  ${mb(m.heapUsed)}  ${mb(wasmBytes())}  ${mb(m.rss)}  ${loss.item().toFixed(4)}`,
      );
    }
    if (step >= steps) break;
  }
}
const first = samples[0] ?? 0;
const last = samples.at(-1) ?? 0;
console.log(
  `${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s; heap after 1,000 steps ${mb(first)} MB, at the end ${mb(last)} MB ` +
    `(growth ${mb(last - first)} MB, max ${mb(Math.max(...samples))} MB)`,
);
