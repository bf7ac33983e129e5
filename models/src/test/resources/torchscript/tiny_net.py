"""A small user network for export_units.py tests: PATH/tiny_net.py:split and PATH/tiny_net.py:broken."""

import torch
from torch import nn


class TinyNet(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.block1 = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, groups=4), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(16, classes)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(x)))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def split(classes=10):
    m = TinyNet(classes)
    suffix = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1), m.head)
    return {
        "model": m,
        "name": "tinynet",
        "input": (3, 32, 32),
        "prefix": ("stem", m.stem),
        "units": [("block1", m.block1), ("block2", m.block2)],
        "suffix": ("head", suffix),
    }


def incomplete(classes=10):
    """Leaves block2 out of the unit list: the chained pieces do not equal the model."""
    m = TinyNet(classes)
    suffix = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(1), m.head)
    return {"model": m, "input": (3, 32, 32), "units": [("stem", m.stem), ("block1", m.block1)],
            "suffix": ("head", nn.Sequential(nn.Conv2d(16, 16, 1), suffix))}
