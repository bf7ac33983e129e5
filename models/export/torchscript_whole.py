#!/usr/bin/python3
"""Export a whole torchvision model as one TorchScript file, the reference for DJL-block timings.

The model is built the way the reference ParetoPipe builds it: torchvision architecture with
random initial weights, a --classes-way classifier, eval mode (inceptionv3 without the auxiliary
head and with transform_input=False, as the catalog defines it). It is traced with torch.jit.trace
on a random float32 batch of --batch x 3 x 224 x 224 (299 x 299 for inceptionv3). By default the
trace is saved as it is (not frozen, no optimize_for_inference: the graph runs the same operators
as eager PyTorch: convolution, batch norm, in-place ReLU). --freeze saves torch.jit.freeze of it
instead, which inlines the weights and folds each eval-mode batch norm into the convolution before
it. The file is written atomically (temporary file, then rename), so a killed export never leaves a
half-written model.

Needs Debian's python3-torch and python3-torchvision (torch 1.13, torchvision 0.14), e.g.
    /usr/bin/python3 models/export/torchscript_whole.py resnet18 --out /tmp/ts/resnet18.pt

Exit status: 0 on success, 2 on bad arguments, 3 if torch/torchvision are missing.
"""

import argparse
import os
import sys

MODELS = ("resnet18", "resnet50", "mobilenetv2", "vgg16", "alexnet", "inceptionv3")
INPUT_SIDE = {"inceptionv3": 299}


def build(name, classes):
    import torch
    import torchvision

    tv = torchvision.models
    if name == "resnet18":
        model = tv.resnet18(weights=None)
        model.fc = torch.nn.Linear(model.fc.in_features, classes)
    elif name == "resnet50":
        model = tv.resnet50(weights=None)
        model.fc = torch.nn.Linear(model.fc.in_features, classes)
    elif name == "mobilenetv2":
        model = tv.mobilenet_v2(weights=None)
        model.classifier[-1] = torch.nn.Linear(model.classifier[-1].in_features, classes)
    elif name in ("vgg16", "alexnet"):
        model = (tv.vgg16 if name == "vgg16" else tv.alexnet)(weights=None)
        model.classifier[-1] = torch.nn.Linear(model.classifier[-1].in_features, classes)
    elif name == "inceptionv3":
        model = tv.inception_v3(weights=None, aux_logits=False, transform_input=False, init_weights=True)
        model.fc = torch.nn.Linear(model.fc.in_features, classes)
    else:
        raise ValueError("unknown model %r: valid models are %s" % (name, ", ".join(MODELS)))
    return model.eval()


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("%d (expected: >= 1)" % value)
    return value


def main(argv):
    parser = argparse.ArgumentParser(
        description="Export a whole torchvision model (random init, 10-class head, eval mode) "
        "as one traced TorchScript file.")
    parser.add_argument("model", choices=MODELS, help="catalog name of the model")
    parser.add_argument("--out", required=True, help="the .pt file to write (parent directories are created)")
    parser.add_argument("--classes", type=positive, default=10, help="classifier outputs (default 10)")
    parser.add_argument("--batch", type=positive, default=8, help="batch size of the tracing input (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="torch RNG seed for weights and tracing input (default 0)")
    parser.add_argument("--freeze", action="store_true",
                        help="save torch.jit.freeze of the trace (weights inlined, batch norm folded into the "
                        "convolutions) instead of the trace itself")
    args = parser.parse_args(argv)

    try:
        import torch
        import torchvision  # noqa: F401
    except ImportError as e:
        print("torchscript_whole.py needs torch and torchvision (%s): on Debian run "
              "'apt-get install python3-torch python3-torchvision' and use /usr/bin/python3" % e,
              file=sys.stderr)
        return 3

    torch.manual_seed(args.seed)
    model = build(args.model, args.classes)
    side = INPUT_SIDE.get(args.model, 224)
    example = torch.rand(args.batch, 3, side, side)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
        if args.freeze:
            traced = torch.jit.freeze(traced)
        expected = model(example)
        actual = traced(example)
    if tuple(actual.shape) != (args.batch, args.classes) or not torch.allclose(actual, expected, atol=1e-4):
        print("traced %s disagrees with eager: shape %s" % (args.model, tuple(actual.shape)), file=sys.stderr)
        return 1

    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = "%s.tmp%d" % (out, os.getpid())
    try:
        traced.save(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print("%s: %s%s torch %s, %d parameters, output %s" % (
        out, args.model, " (frozen)" if args.freeze else "", torch.__version__, sum(p.numel() for p in model.parameters()), tuple(actual.shape)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
