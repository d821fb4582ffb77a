"""The digits examples in PyTorch, for comparison: the same data split, initial weights, batches and optimizer as
mlp.ts / cnn.ts (tsgrad draws the same random numbers for the same seeds), so the accuracies can be compared.
Run: /usr/bin/python3 examples/digits/reference.py   (needs PyTorch)
"""

import gzip
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

HERE = os.path.dirname(os.path.abspath(__file__))
rows = [list(map(int, line.split(","))) for line in gzip.open(os.path.join(HERE, "digits.csv.gz"), "rt")]
data = torch.tensor(rows)
x, y = data[:, :64].float() / 16, data[:, 64]


def run(name, model, epochs, x):
    ds = TensorDataset(x, y)
    train, test = random_split(ds, [1437, 360], generator=torch.Generator().manual_seed(0))
    loader = DataLoader(train, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = x[test.indices], y[test.indices]
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            acc = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"{name} epoch {epoch + 1}: loss {loss.item():.4f} test accuracy {acc:.4f}")


torch.manual_seed(0)
run("mlp", nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)), 20, x)
torch.manual_seed(0)
cnn = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
)
run("cnn", cnn, 15, x.reshape(-1, 1, 8, 8))
