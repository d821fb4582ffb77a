"""PyTorch CPU side of the tsgrad benchmark (W1-W6), printed as JSON. Run by bench/run.ts with /usr/bin/python3.

Usage: /usr/bin/python3 bench/torch_bench.py THREADS
"""
import json
import statistics
import sys
import time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
results = []


# training steps are timed in steady state: every library runs this many untimed steps first
STEADY = 20


def median_ms(fn, warmup=2, reps=7, min_ms=300, max_reps=200):
    for _ in range(warmup):
        fn()
    times = []
    t0 = time.perf_counter()
    while len(times) < reps or ((time.perf_counter() - t0) * 1e3 < min_ms and len(times) < max_reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def seeded(n, seed, scale=1.0):
    # the same LCG as bench/harness.ts
    s = seed or 1
    out = []
    for _ in range(n):
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(((s / 2**32) * 2 - 1) * scale)
    return torch.tensor(out, dtype=torch.float32)


def push(id_, case, value, unit, higher, extra=None):
    r = {"id": id_, "case": case, "value": value, "unit": unit, "higherIsBetter": higher}
    if extra:
        r["extra"] = extra
    results.append(r)


# W1: the autograd tutorial's loop (scripts/fixtures/tutorial.py, examples/tutorial-programs.ts)
def w1():
    torch.manual_seed(100)
    x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
    y = 3 * x.pow(2) + 2 + 0.2 * torch.rand(x.size())
    w = torch.randn(1, 1, requires_grad=True)
    b = torch.zeros(1, 1, requires_grad=True)
    for i in range(800):
        y_pred = x.pow(2).mm(w) + b
        loss = ((y - y_pred) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            w.sub_(0.001 * w.grad)
            b.sub_(0.001 * b.grad)
            w.grad.zero_()
            b.grad.zero_()
        loss.item()


push("W1", "800 steps", median_ms(w1, warmup=1, reps=5, min_ms=0), "ms", False)

# W2
for n in [64, 256, 512, 1024, 2048]:
    a = torch.randn(n, n)
    b = torch.randn(n, n)
    ms = median_ms(lambda: torch.matmul(a, b), reps=5 if n >= 1024 else 9)
    push("W2", f"n={n}", 2 * n**3 / ms / 1e6, "GFLOP/s", True)

# W3
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)
)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
xb = torch.randn(128, 784)
yb = torch.tensor([(i * 7) % 10 for i in range(128)])


def w3():
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(xb), yb).backward()
    opt.step()


push("W3", "MLP step", median_ms(w3, warmup=STEADY, reps=15, min_ms=500), "ms", False)

# W4
n = 10**6
a = torch.randn(n, requires_grad=True)
b = torch.randn(n, requires_grad=True)
c = torch.randn(n, requires_grad=True)


def w4():
    a.grad = b.grad = c.grad = None
    (torch.tanh(a * b + c) * torch.exp(a)).sum().backward()


ms = median_ms(w4, warmup=STEADY, reps=15, min_ms=500)
push("W4", "10^6 fwd+bwd", ms, "ms", False, f"{24e6 / ms / 1e6:.1f} GB/s")


# W5
def w5():
    x = torch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10000):
        y = y.add(x)
    y.sum().backward()


push("W5", "per op", median_ms(w5) * 1e6 / 10000 / 1000, "µs/op", False)

# W6
torch.manual_seed(0)
cnn = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10),
)
opt6 = torch.optim.SGD(cnn.parameters(), lr=0.01)
x6 = torch.randn(32, 1, 28, 28)
y6 = torch.tensor([(i * 3) % 10 for i in range(32)])


def w6():
    opt6.zero_grad()
    torch.nn.functional.cross_entropy(cnn(x6), y6).backward()
    opt6.step()


push("W6", "CNN step", median_ms(w6, warmup=STEADY, reps=15, min_ms=500), "ms", False)
print(json.dumps(results))
