#!/usr/bin/python3
"""Writes the TorchScript module behind io.paretopipe.models.blocks.InPlaceActivations.

DJL's PyTorch engine exposes relu and clamp only out of place (a new tensor per call), while
torchvision runs ReLU(inplace=True) and ReLU6(inplace=True). This module has two methods that do
exactly those in-place kernels, so the Java forward can call them on a tensor it owns:

    relu_(x)  -> torch.relu_(x)                     (torchvision's ReLU(inplace=True))
    relu6_(x) -> torch.nn.functional.hardtanh_(x, 0, 6)  (torchvision's ReLU6(inplace=True))

No parameters, no state. The file is committed (src/main/resources), so devices running stages need
only Java; regenerate it with Debian's python3-torch:

    /usr/bin/python3 models/export/inplace_activations.py \
        models/src/main/resources/io/paretopipe/models/blocks/inplace-activations.pt
"""

import os
import sys

import torch


class InPlaceActivations(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu_(x)

    @torch.jit.export
    def relu_(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu_(x)

    @torch.jit.export
    def relu6_(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.hardtanh_(x, 0.0, 6.0)


def main(out):
    scripted = torch.jit.script(InPlaceActivations().eval())
    x = torch.tensor([-1.0, 0.5, 7.0])
    same = scripted.relu6_(x)
    if same.data_ptr() != x.data_ptr() or x.tolist() != [0.0, 0.5, 6.0]:
        print("relu6_ is not an in-place clamp to [0, 6]: %s" % x.tolist(), file=sys.stderr)
        return 1
    tmp = "%s.tmp%d" % (out, os.getpid())
    try:
        scripted.save(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print("%s: torch %s" % (out, torch.__version__))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: inplace_activations.py OUT.pt", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
