"""The Fashion-MNIST MLP training epoch written the way a PyTorch user would, for comparison with Volt.

Usage: python3 pytorch_mlp.py [--repeats N] [--data DIR]
Prints one line per measurement and a final line:  RESULT seconds_per_epoch=<median> threads=<n> ...
"""
import argparse
import gzip
import os
import re
import statistics
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(directory, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(directory, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"{name} not found in {directory}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))
    args = parser.parse_args()

    torch.manual_seed(1234)
    images = torch.from_numpy(read_idx(find(args.data, "train-images-idx3-ubyte")).copy()).float().div_(255).unsqueeze(1)
    labels = torch.from_numpy(read_idx(find(args.data, "train-labels-idx1-ubyte")).copy()).long()
    images, labels = images[:55000], labels[:55000]

    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    batch_size = 64

    def epoch(seed):
        generator = torch.Generator().manual_seed(seed)
        order = torch.randperm(len(labels), generator=generator)
        model.train()
        for start in range(0, len(labels), batch_size):
            index = order[start:start + batch_size]
            x, y = images.index_select(0, index), labels.index_select(0, index)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()

    epoch(0)  # warm-up
    times = []
    for r in range(args.repeats):
        start = time.perf_counter()
        epoch(r + 1)
        times.append(time.perf_counter() - start)
        print(f"epoch {r + 1}: {times[-1]:.3f} s", flush=True)

    match = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    blas = match.group(1) if match else ("mkl" if torch.backends.mkl.is_available() else "unknown")
    print(f"RESULT seconds_per_epoch={statistics.median(times):.4f} min={min(times):.4f} max={max(times):.4f} "
          f"threads={torch.get_num_threads()} torch={torch.__version__} blas={blas}")


if __name__ == "__main__":
    main()
