/**
 * @file The autograd tutorial's two programs, written exactly as a student types them from the PyTorch
 * tutorial. `print` receives each line; the demo prints them, the tests compare them with PyTorch's.
 */
import * as torch from '../src/index.js';

/** Prints like Python's print: values separated by spaces. */
export type Print = (...values: unknown[]) => void;

/**
 * Program 1: z = w·x + b, the requiresGrad flags, the graph's nodes and a scalar backward.
 * @example graphProgram(console.log)
 */
export function graphProgram(print: Print): {
  x: torch.Tensor;
  w: torch.Tensor;
  b: torch.Tensor;
  y: torch.Tensor;
  z: torch.Tensor;
} {
  torch.manualSeed(0);
  const x = new torch.Tensor([2]);
  const w = torch.randn(1, { requiresGrad: true });
  const b = torch.randn(1, { requiresGrad: true });
  const y = torch.mul(w, x);
  const z = torch.add(y, b);
  print(x.requiresGrad, w.requiresGrad, b.requiresGrad);
  print(y.isLeaf, z.isLeaf, String(y.gradFn));
  print(String(z.gradFn), z.gradFn?.nextFunctions[0]?.[0]?.name, z.gradFn?.nextFunctions[1]?.[0]?.name);
  z.backward();
  print(w.grad, b.grad, x.grad);
  return { x, w, b, y, z };
}

/**
 * Program 2: fit y = 3x² + 2 (plus noise) with w·x² + b by gradient descent, 800 steps.
 * @example const { w, b } = regressionProgram(console.log);
 */
export function regressionProgram(
  print: Print,
  steps = 800,
): { x: torch.Tensor; y: torch.Tensor; w: torch.Tensor; b: torch.Tensor; losses: number[] } {
  torch.manualSeed(100);
  const x = torch.unsqueeze(torch.linspace(-1, 1, 100), 1);
  const y = torch.add(torch.add(torch.mul(3, x.pow(2)), 2), torch.mul(0.2, torch.rand(x.size())));
  const w = torch.randn(1, 1, { requiresGrad: true });
  const b = torch.zeros(1, 1, { requiresGrad: true });
  print(w);
  print(b);
  const lr = 0.001;
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const yPred = x.pow(2).mm(w).add(b);
    let loss = y.sub(yPred).pow(2);
    loss = loss.sum();
    loss.backward();
    torch.noGrad(() => {
      w.sub_(torch.mul(lr, w.grad!));
      b.sub_(torch.mul(lr, b.grad!));
      w.grad!.zero_();
      b.grad!.zero_();
    });
    losses.push(loss.item());
    if (i % 100 === 0 || i === steps - 1) print(i, loss);
  }
  print(w);
  print(b);
  return { x, y, w, b, losses };
}
