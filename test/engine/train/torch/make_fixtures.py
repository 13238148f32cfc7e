#!/usr/bin/python3
"""PyTorch's own optimizer steps, as fixtures for test/engine/train/torch.test.ts.

For each small network of issue 12's done-when (conv/relu/pool/fc; bn with a projection
residual; concat branches ending in softmax), written here in PyTorch independently of
the .cnn design beside it, this writes into test/engine/train/torch/<case>/:

  design.cnn               the same network in the .cnn language, every learning layer
                           labelled with its PyTorch module's name
  pictures/<class>/<n>.png the training pictures (RGB, the input's size: no resizing)
  start.safetensors        the starting weights (torch's default init, seed 0)
  <run>.safetensors        the parameters and bn running statistics after the run's steps
  case.json                the runs: optimizer settings, batch, steps; torch's version

Batches follow `cnn train --no-shuffle`: the sorted class folders, then the sorted file
names; a last batch smaller than the batch size is kept (DataLoader without drop_last).
The loss is CrossEntropyLoss (mean over the batch) of the scores, the values before a
final softmax. Pictures are read as torchvision reads them: PIL → ToTensor (÷ 255).

Run with Debian's python3-torch (1.13): /usr/bin/python3 test/engine/train/torch/make_fixtures.py
npm test reads the files; it never needs torch.
"""
import json
import os
import shutil
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_num_threads(1)


def write_safetensors(path, tensors):
    """the safetensors format by hand: u64 header length, JSON header, raw little-endian f32"""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def state(model):
    return {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}


class ConvReluPoolFc(nn.Module):
    design = """network ConvReluPoolFc {
  input 8x8x3
  c1: conv 4 3x3 pad 1
  relu
  maxpool 2
  f1: fc 3
}
"""
    side = 8

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)
        self.f1 = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        return self.f1(torch.flatten(x, 1))


class BnProjectionResidual(nn.Module):
    # c1 keeps its bias in front of a bn: its true gradient is exactly zero (see the test)
    design = """network BnProjectionResidual {
  input 9x9x3
  c1: conv 4 3x3 pad 1
  b1: bn
  relu
  residual {
    r1: conv 8 3x3 stride 2 pad 1 nobias
    rb1: bn
    relu
    r2: conv 8 3x3 pad 1 nobias
    rb2: bn
  } shortcut {
    s1: conv 8 1x1 stride 2 nobias
    sb: bn
  }
  relu
  gap
  f1: fc 3
}
"""
    side = 9

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 4, 3, padding=1)
        self.b1 = nn.BatchNorm2d(4)
        self.r1 = nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False)
        self.rb1 = nn.BatchNorm2d(8)
        self.r2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.rb2 = nn.BatchNorm2d(8)
        self.s1 = nn.Conv2d(4, 8, 1, stride=2, bias=False)
        self.sb = nn.BatchNorm2d(8)
        self.f1 = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.b1(self.c1(x)))
        main = self.rb2(self.r2(F.relu(self.rb1(self.r1(x)))))
        x = F.relu(main + self.sb(self.s1(x)))
        return self.f1(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ConcatSoftmax(nn.Module):
    design = """network ConcatSoftmax {
  input 6x6x3
  concat {
    branch { a1: conv 2 1x1 }
    branch { a2: conv 3 3x3 pad 1; relu }
    branch { avgpool 3 stride 1 pad 1 }
  }
  flatten
  f1: fc 3
  softmax
}
"""
    side = 6

    def __init__(self):
        super().__init__()
        self.a1 = nn.Conv2d(3, 2, 1)
        self.a2 = nn.Conv2d(3, 3, 3, padding=1)
        self.f1 = nn.Linear((2 + 3 + 3) * 36, 3)

    def forward(self, x):
        # the scores: the values before the final softmax (spec §9)
        x = torch.cat([self.a1(x), F.relu(self.a2(x)), F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=True)], 1)
        return self.f1(torch.flatten(x, 1))


CASES = {"conv-relu-pool-fc": ConvReluPoolFc, "bn-projection-residual": BnProjectionResidual, "concat-softmax": ConcatSoftmax}
# three classes; 3 + 2 + 2 pictures: at batch 3 the third batch holds one picture
PICTURES = {"a": 3, "b": 2, "c": 2}
BATCH = 3
RUNS = {
    "sgd1": {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weightDecay": 0.01, "steps": 1},
    "sgd3": {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weightDecay": 0.01, "steps": 3},
    "adam3": {"optimizer": "adam", "lr": 0.01, "momentum": 0, "weightDecay": 0.001, "steps": 3},
    "adam3-nowd": {"optimizer": "adam", "lr": 0.01, "momentum": 0, "weightDecay": 0, "steps": 3},
}


def pictures(folder, side, seed):
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for label, cls in enumerate(sorted(PICTURES)):
        os.makedirs(os.path.join(folder, cls))
        for n in range(PICTURES[cls]):
            pixels = rng.integers(0, 256, size=(side, side, 3), dtype=np.uint8)
            path = os.path.join(folder, cls, f"{n}.png")
            Image.fromarray(pixels, "RGB").save(path)
            # read back as torchvision's ImageFolder + ToTensor would
            with Image.open(path) as im:
                xs.append(torch.from_numpy(np.asarray(im.convert("RGB"), dtype=np.uint8).copy()).permute(2, 0, 1).float().div(255))
            ys.append(label)
    return torch.stack(xs), torch.tensor(ys)


def run(model_class, start, x, y, settings):
    torch.manual_seed(0)
    model = model_class()
    model.load_state_dict(start, strict=False)
    model.train()
    if settings["optimizer"] == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=settings["lr"], momentum=settings["momentum"], weight_decay=settings["weightDecay"])
    else:
        opt = torch.optim.Adam(model.parameters(), lr=settings["lr"], weight_decay=settings["weightDecay"])
    notes = []
    for step in range(settings["steps"]):
        first = (step * BATCH) % len(x)
        xb, yb = x[first:first + BATCH], y[first:first + BATCH]
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        if hasattr(model, "b1"):
            # c1's bias before this step, and its gradient (rounding noise: truly zero)
            notes.append({"bias": [float(b) for b in model.c1.bias], "gradient": [float(b) for b in model.c1.bias.grad]})
        opt.step()
    return state(model), notes


def main():
    meta = {"torch": torch.__version__, "batch": BATCH, "runs": RUNS, "cases": {}}
    for i, (name, model_class) in enumerate(CASES.items()):
        folder = os.path.join(HERE, name)
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.makedirs(folder)
        with open(os.path.join(folder, "design.cnn"), "w") as f:
            f.write(model_class.design)
        x, y = pictures(os.path.join(folder, "pictures"), model_class.side, 100 + i)
        torch.manual_seed(0)
        model = model_class()
        # bn's affine parameters and running statistics off their defaults, so each is exercised
        g = torch.Generator().manual_seed(1)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                with torch.no_grad():
                    m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                    m.bias.copy_(torch.rand(m.bias.shape, generator=g) - 0.5)
                    m.running_mean.copy_(0.4 * torch.rand(m.running_mean.shape, generator=g) - 0.2)
                    m.running_var.copy_(0.5 + 1.5 * torch.rand(m.running_var.shape, generator=g))
        start = state(model)
        write_safetensors(os.path.join(folder, "start.safetensors"), start)
        case = {}
        for run_name, settings in RUNS.items():
            after, notes = run(model_class, start, x, y, settings)
            write_safetensors(os.path.join(folder, f"{run_name}.safetensors"), after)
            case[run_name] = {"maxAbs": max(float(t.abs().max()) for t in after.values())}
            if notes:
                case[run_name]["c1Steps"] = notes
        meta["cases"][name] = case
    with open(os.path.join(HERE, "case.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
