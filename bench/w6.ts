/**
 * @file W6, tsgrad's side: a small CNN training step, [32,1,28,28] -> conv8 3x3 -> relu -> pool2 -> conv16 3x3 ->
 * relu -> pool2 -> linear 10, cross-entropy, SGD. Shared by the benchmark (bench/tsgrad.ts) and its per-kernel
 * breakdown (bench/w6-profile.ts).
 */
import * as torch from '../src/index.js';
import { seeded } from './harness.js';

/**
 * A seeded model, optimizer and batch (the same data as the other libraries' W6); returns one training step.
 * @example const step = cnnStep(); step();
 */
export function cnnStep(): () => void {
  torch.manualSeed(0);
  const nn = torch.nn;
  const layers = [
    new nn.Conv2d(1, 8, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 7 * 7, 10),
  ];
  const model = new nn.Sequential(...(layers as unknown as torch.nn.Module[]));
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const x = torch.tensor(seeded(32 * 784, 10)).reshape([32, 1, 28, 28]);
  const y = torch.tensor(
    Int32Array.from({ length: 32 }, (_, i) => (i * 3) % 10),
    { dtype: torch.int32 },
  );
  return () => {
    opt.zeroGrad();
    torch.nn.functional.crossEntropy(model.forward(x) as torch.Tensor, y).backward();
    opt.step();
  };
}
