"""Writes a state_dict of a torchvision model whose outputs are far from zero, for export tests.

    /usr/bin/python3 calibrated_weights.py MODEL OUT.pt SEED

torchvision's random initialisation with BatchNorm's default running statistics (mean 0, var 1)
makes eval-mode activations shrink layer by layer: an untrained MobileNetV2 gives logits of about
1e-9, too small for a 1e-4 comparison to mean anything. Here the running statistics are set to
the real batch statistics of a few seeded random batches (train-mode forwards with cumulative
averaging), so every BatchNorm normalises and the logits are of order 1.
"""

import sys

import torch
import torchvision

BUILD = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None, num_classes=10),
    "mobilenetv2": lambda: torchvision.models.mobilenet_v2(weights=None, num_classes=10),
}


def main(model, out, seed):
    torch.manual_seed(seed)
    net = BUILD[model]()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    net.train()
    with torch.no_grad():
        for _ in range(3):
            net(torch.randn(4, 3, 224, 224))
    net.eval()
    torch.save(net.state_dict(), out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
