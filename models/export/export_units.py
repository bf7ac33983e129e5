#!/usr/bin/python3
"""Export a PyTorch model as TorchScript split units that ParetoPipe loads like a catalog model.

    python3 models/export/export_units.py MODEL --out DIR [--weights F] [--input CxHxW]
                                          [--classes N] [--seed S] [--reference N] [--force]

MODEL is a catalog name (resnet18, resnet50, mobilenetv2, vgg16, alexnet, inceptionv3), cut into
exactly the units of the Java catalog, or PATH/TO/MODULE.py:FACTORY for your own network. The
result is a directory DIR with one TorchScript file per piece (prefix, every unit, suffix) and a
manifest.json describing them (format: docs/BYO_MODELS.md). Java reads it with
ModelCatalog.define("DIR"), so every benchmark takes it as -p model=DIR.

User module contract. FACTORY is called as FACTORY(classes=N) when --classes is given, else as
FACTORY(). It returns either a tuple (prefix, units, suffix) or a dict with the keys
    "units"  (required) list of pieces, split points between them,
    "suffix" (required) the piece that always runs last,
    "prefix" (optional) the piece that always runs first, or None,
    "model"  (optional) the whole nn.Module: --weights are loaded into it, the chained pieces are
             checked against its forward, and the reference output comes from it,
    "input"  (optional) the per-image input (C, H, W) when --input is not given,
    "name"   (optional) the model name for the manifest (default: the module file's name).
A piece is a (name, module) pair or a bare module (named unitN / prefix / suffix). Pieces should
share their parameters with "model" (take them from it), so loading weights into the model
updates them. Every piece takes one float32 tensor and returns one tensor whose first dimension is
the batch. Pieces are traced with torch.jit.trace at batch 2 and the traces are checked against
eager PyTorch at batches 1 and 3; a piece with data-dependent control flow can be given as a
torch.jit.ScriptModule instead, which is saved as it is (its MACs are then unknown).

Method. The model is built with torch.manual_seed(--seed) (random weights unless --weights), in
eval mode. Shapes, parameter counts (torch's parameters(): BatchNorm running statistics are
buffers, not counted) and MACs (multiply-accumulates of Conv and Linear layers, measured with
forward hooks at batch 1) are recorded per piece. For catalog models the chained pieces must equal
the torchvision model's own forward. The directory is written under a temporary name beside DIR
and renamed into place at the end, so a failed or killed export never leaves a half-written DIR.

Exit status: 0 on success, 1 if the export failed (the message names the piece and the problem),
2 on bad arguments, 3 if torch or torchvision cannot be imported (on Debian:
apt-get install python3-torch python3-torchvision, and run with /usr/bin/python3).
"""

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile

FORMAT = "paretopipe-torchscript-units"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = ("resnet18", "resnet50", "mobilenetv2", "vgg16", "alexnet", "inceptionv3")
DEFAULT_INPUT = {"inceptionv3": (3, 299, 299)}
# The classifier weight of each catalog model, whose first dimension is the number of classes.
CLASSIFIER_WEIGHT = {
    "resnet18": "fc.weight",
    "resnet50": "fc.weight",
    "mobilenetv2": "classifier.1.weight",
    "vgg16": "classifier.6.weight",
    "alexnet": "classifier.6.weight",
    "inceptionv3": "fc.weight",
}
NAME_PATTERN = re.compile(r"^[^\s/\\]{1,100}$")
TRACE_BATCH = 2
CHECK_BATCHES = (1, 3)
TRACE_RTOL = 1e-4
TRACE_ATOL = 1e-5
CHAIN_ATOL = 1e-5

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_TORCH = 3


class UsageError(Exception):
    """A bad command line: exit status 2."""


class ExportError(Exception):
    """The model or one of its pieces cannot be exported: exit status 1."""


class Piece(object):
    def __init__(self, role, name, module):
        self.role = role
        self.name = name
        self.module = module
        self.file = None
        self.input_shape = None
        self.output_shape = None
        self.params = None
        self.macs = None
        self.sha256 = None
        self.file_bytes = None


def parse_chw(text):
    match = re.match(r"^\s*(\d+)\s*[xX]\s*(\d+)\s*[xX]\s*(\d+)\s*$", text)
    if not match or min(int(g) for g in match.groups()) < 1:
        raise argparse.ArgumentTypeError("'%s' (expected: CxHxW with every dimension >= 1, e.g. 3x224x224)" % text)
    return tuple(int(g) for g in match.groups())


def positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("'%s' (expected: an integer >= 1)" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("%d (expected: >= 1)" % value)
    return value


def non_negative(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("'%s' (expected: an integer >= 0)" % text)
    if value < 0:
        raise argparse.ArgumentTypeError("%d (expected: >= 0)" % value)
    return value


def chw(shape):
    return "x".join(str(d) for d in shape)


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_digest(manifest):
    """SHA-256 of the model-identifying text described in docs/BYO_MODELS.md (Java recomputes it)."""
    lines = ["%s %d" % (FORMAT, FORMAT_VERSION),
             "model %s" % manifest["model"],
             "dtype %s" % manifest["dtype"],
             "input %s" % chw(manifest["input"])]
    pieces = ([manifest["prefix"]] if manifest["prefix"] else []) + manifest["units"] + [manifest["suffix"]]
    for p in pieces:
        lines.append("%s %s %s %s %s %s" % (p["role"], p["name"], p["file"], p["sha256"],
                                            chw(p["input_shape"]), chw(p["output_shape"])))
    text = "".join(line + "\n" for line in lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_model_argument(text):
    """('catalog', name) or ('module', path, factory)."""
    if text in CATALOG:
        return ("catalog", text)
    if ":" in text:
        path, factory = text.rsplit(":", 1)
        if path.endswith(".py") and factory:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", factory):
                raise UsageError("model '%s': factory '%s' is not a Python identifier" % (text, factory))
            if not os.path.isfile(path):
                raise UsageError("model '%s': module file %s does not exist" % (text, path))
            return ("module", path, factory)
    raise UsageError("unknown model '%s': valid models are %s, or PATH/TO/MODULE.py:FACTORY for your own"
                     % (text, ", ".join(CATALOG)))


def load_state_dict(path, torch):
    try:
        loaded = torch.load(path, map_location="cpu")
    except Exception as e:
        raise ExportError("--weights %s: cannot be read by torch.load (%s: %s)" % (path, type(e).__name__, e))
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if isinstance(loaded, dict):
        for key in ("state_dict", "model_state_dict", "model"):
            if isinstance(loaded.get(key), dict):
                loaded = loaded[key]
                break
    if not isinstance(loaded, dict) or not all(torch.is_tensor(v) for v in loaded.values()):
        raise ExportError("--weights %s: expected a state_dict (a dict of tensors, possibly under 'state_dict'"
                          " or 'model_state_dict'), or a pickled nn.Module; found %s" % (path, type(loaded).__name__))
    if loaded and all(k.startswith("module.") for k in loaded):
        loaded = {k[len("module."):]: v for k, v in loaded.items()}
    return loaded


def apply_weights(model, state, path):
    expected = model.state_dict()
    problems = []

    def listed(what, items):
        if items:
            more = " and %d more" % (len(items) - 5) if len(items) > 5 else ""
            problems.append("%s %s%s" % (what, ", ".join(items[:5]), more))

    listed("missing", [k for k in expected if k not in state])
    listed("unexpected", [k for k in state if k not in expected])
    listed("wrong shape", ["%s (file %s, model %s)" % (k, tuple(state[k].shape), tuple(v.shape))
                           for k, v in expected.items() if k in state and state[k].shape != v.shape])
    if problems:
        raise ExportError("--weights %s do not fit the model: %s (a different architecture, or --classes does not"
                          " match the classifier)" % (path, "; ".join(problems)))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise ExportError("--weights %s do not fit the model: %s" % (path, " ".join(str(e).split())))


def catalog_model(name, classes, torch, torchvision):
    """The torchvision model and its pieces, cut exactly as the Java catalog cuts it."""
    tv = torchvision.models
    nn = torch.nn
    if name in ("resnet18", "resnet50"):
        m = (tv.resnet18 if name == "resnet18" else tv.resnet50)(weights=None, num_classes=classes)
        stem = nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool)
        blocks = [b for layer in (m.layer1, m.layer2, m.layer3, m.layer4) for b in layer]
        label = "block" if name == "resnet18" else "bottleneck"
        units = [Piece("unit", "%s%d" % (label, i + 1), b) for i, b in enumerate(blocks)]
        suffix = Piece("suffix", "suffix", nn.Sequential(m.avgpool, nn.Flatten(1), m.fc))
        if name == "resnet18":
            return m, Piece("prefix", "stem", stem), units, suffix
        return m, None, [Piece("unit", "stem", stem)] + units, suffix
    if name == "mobilenetv2":
        m = tv.mobilenet_v2(weights=None, num_classes=classes)
        units = [Piece("unit", "features.%d" % i, f) for i, f in enumerate(m.features)]
        suffix = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(1), m.classifier)
        return m, None, units, Piece("suffix", "suffix", suffix)
    if name in ("vgg16", "alexnet"):
        m = (tv.vgg16 if name == "vgg16" else tv.alexnet)(weights=None, num_classes=classes)
        units = [Piece("unit", "features.%d:%s" % (i, type(f).__name__), f) for i, f in enumerate(m.features)]
        suffix = nn.Sequential(m.avgpool, nn.Flatten(1), m.classifier)
        return m, None, units, Piece("suffix", "suffix", suffix)
    if name == "inceptionv3":
        m = tv.inception_v3(weights=None, num_classes=classes, aux_logits=False, transform_input=False,
                            init_weights=True)
        names = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                 "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                 "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c", "avgpool", "dropout"]
        units = [Piece("unit", n, getattr(m, n)) for n in names]
        return m, None, units, Piece("suffix", "suffix", nn.Sequential(nn.Flatten(1), m.fc))
    raise UsageError("unknown model '%s': valid models are %s" % (name, ", ".join(CATALOG)))


def as_piece(value, role, index, torch):
    default = role if role != "unit" else "unit%d" % index
    if isinstance(value, torch.nn.Module):
        return Piece(role, default, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], torch.nn.Module):
        return Piece(role, str(value[0]), value[1])
    raise ExportError("factory returned %s %s as %s: expected a (name, nn.Module) pair or an nn.Module"
                      % (role, default, type(value).__name__))


def user_model(path, factory_name, classes, torch):
    """The user's model and pieces, plus the name and input the factory asked for."""
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location("paretopipe_user_model", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise ExportError("%s: importing it failed (%s: %s)" % (path, type(e).__name__, e))
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise UsageError("%s has no function %s()" % (path, factory_name))
    try:
        result = factory(classes=classes) if classes is not None else factory()
    except Exception as e:
        raise ExportError("%s:%s() failed (%s: %s)" % (path, factory_name, type(e).__name__, e))
    if isinstance(result, dict):
        unknown = set(result) - {"units", "suffix", "prefix", "model", "input", "name"}
        if unknown:
            raise ExportError("%s() returned unknown keys %s: valid keys are units, suffix, prefix, model, input, name"
                              % (factory_name, ", ".join(sorted(unknown))))
        if "units" not in result or "suffix" not in result:
            raise ExportError("%s() must return 'units' and 'suffix' (and optionally prefix, model, input, name)"
                              % factory_name)
        prefix, units, suffix = result.get("prefix"), result["units"], result["suffix"]
        model, wanted_input, name = result.get("model"), result.get("input"), result.get("name")
    elif isinstance(result, (tuple, list)) and len(result) == 3:
        prefix, units, suffix = result
        model, wanted_input, name = None, None, None
    else:
        raise ExportError("%s() returned %s: expected (prefix, units, suffix) or a dict with units and suffix"
                          % (factory_name, type(result).__name__))
    if model is not None and not isinstance(model, torch.nn.Module):
        raise ExportError("%s() returned 'model' as %s: expected an nn.Module" % (factory_name, type(model).__name__))
    if not isinstance(units, (list, tuple)) or not units:
        raise ExportError("%s() returned no units: a model needs at least one split unit" % factory_name)
    pieces_prefix = None if prefix is None else as_piece(prefix, "prefix", 0, torch)
    pieces_units = [as_piece(u, "unit", i + 1, torch) for i, u in enumerate(units)]
    pieces_suffix = as_piece(suffix, "suffix", 0, torch)
    if wanted_input is not None:
        try:
            wanted_input = tuple(int(d) for d in wanted_input)
        except (TypeError, ValueError):
            wanted_input = ()
        if len(wanted_input) != 3 or min(wanted_input) < 1:
            raise ExportError("%s() returned 'input' %r: expected (C, H, W) with every dimension >= 1"
                              % (factory_name, result.get("input")))
    if name is None:
        name = os.path.splitext(os.path.basename(path))[0]
    return model, pieces_prefix, pieces_units, pieces_suffix, str(name), wanted_input


def check_names(pieces):
    seen = set()
    for p in pieces:
        if not NAME_PATTERN.match(p.name):
            raise ExportError("%s name %r: names are 1 to 100 characters without whitespace, '/' or '\\'"
                              % (p.role, p.name))
        if p.name in seen:
            raise ExportError("%s name %r is used twice: every piece needs its own name" % (p.role, p.name))
        seen.add(p.name)


def assign_files(prefix, units, suffix):
    width = max(2, len(str(len(units) - 1)))
    safe = lambda name: re.sub(r"[^A-Za-z0-9._-]", "_", name)
    if prefix is not None:
        prefix.file = "prefix-%s.pt" % safe(prefix.name)
    for i, u in enumerate(units):
        u.file = "unit-%0*d-%s.pt" % (width, i, safe(u.name))
    suffix.file = "suffix-%s.pt" % safe(suffix.name)


def run_piece(piece, x, torch):
    try:
        y = piece.module(x)
    except Exception as e:
        raise ExportError("%s %s fails on input %s (%s: %s)" % (piece.role, piece.name, chw(x.shape[1:]),
                                                               type(e).__name__, e))
    if not torch.is_tensor(y):
        raise ExportError("%s %s returns %s: every piece must return one tensor" % (piece.role, piece.name,
                                                                                   type(y).__name__))
    if y.dim() < 2 or y.shape[0] != x.shape[0] or y.dtype != torch.float32:
        raise ExportError("%s %s returns a %s %s tensor for a batch of %d: expected float32 with the batch as"
                          " its first dimension" % (piece.role, piece.name, y.dtype, tuple(y.shape), x.shape[0]))
    return y


def measure(pieces, input_shape, torch):
    """Fills in input/output shapes, params and MACs of every piece from an eager batch of 1."""
    conv = torch.nn.modules.conv._ConvNd
    x = torch.zeros((1,) + tuple(input_shape))
    for piece in pieces:
        piece.input_shape = list(x.shape[1:])
        piece.params = int(sum(p.numel() for p in piece.module.parameters()))
        counted = [0]
        handles = []

        def conv_hook(m, inputs, out):
            counted[0] += out[0].numel() * (m.in_channels // m.groups) * int(torch.tensor(m.kernel_size).prod())

        def linear_hook(m, inputs, out):
            counted[0] += out[0].numel() * m.in_features

        scripted = isinstance(piece.module, torch.jit.ScriptModule)
        if not scripted:
            for m in piece.module.modules():
                if isinstance(m, conv):
                    handles.append(m.register_forward_hook(conv_hook))
                elif isinstance(m, torch.nn.Linear):
                    handles.append(m.register_forward_hook(linear_hook))
        try:
            x = run_piece(piece, x, torch)
        finally:
            for h in handles:
                h.remove()
        piece.output_shape = list(x.shape[1:])
        piece.macs = None if scripted else int(counted[0])


def chain(pieces, x, torch):
    outputs = []
    for piece in pieces:
        x = run_piece(piece, x, torch)
        outputs.append(x)
    return outputs


def trace(pieces, input_shape, seed, torch):
    """TorchScript modules of every piece, traced at batch 2 and checked against eager at batches 1 and 3."""
    generator = torch.Generator().manual_seed(seed + 1)
    x = torch.randn((TRACE_BATCH,) + tuple(input_shape), generator=generator)
    scripts = []
    for piece in pieces:
        if isinstance(piece.module, torch.jit.ScriptModule):
            scripts.append(piece.module)
        else:
            try:
                scripts.append(torch.jit.trace(piece.module, x, check_trace=False))
            except Exception as e:
                raise ExportError("%s %s cannot be traced (%s: %s): give it as a torch.jit.script-ed module"
                                  % (piece.role, piece.name, type(e).__name__, str(e).strip().splitlines()[0]))
        x = run_piece(piece, x, torch)
    for batch in CHECK_BATCHES:
        x = torch.randn((batch,) + tuple(input_shape), generator=generator)
        for piece, script in zip(pieces, scripts):
            expected = run_piece(piece, x, torch)
            try:
                actual = script(x)
            except Exception as e:
                raise ExportError("%s %s: its TorchScript fails at batch %d (%s: %s); the trace fixed a batch-"
                                  "dependent shape, give the piece as a torch.jit.script-ed module"
                                  % (piece.role, piece.name, batch, type(e).__name__, str(e).strip().splitlines()[0]))
            if (not torch.is_tensor(actual) or actual.shape != expected.shape
                    or not torch.allclose(actual, expected, rtol=TRACE_RTOL, atol=TRACE_ATOL)):
                diff = ((actual - expected).abs().max().item()
                        if torch.is_tensor(actual) and actual.shape == expected.shape else float("nan"))
                raise ExportError("%s %s: its TorchScript disagrees with eager PyTorch at batch %d (max |diff| %g):"
                                  " the piece has data-dependent control flow; give it as a torch.jit.script-ed"
                                  " module" % (piece.role, piece.name, batch, diff))
            x = expected
    return scripts


def check_whole(model, pieces, input_shape, seed, torch, what):
    generator = torch.Generator().manual_seed(seed + 2)
    x = torch.randn((2,) + tuple(input_shape), generator=generator)
    chained = chain(pieces, x, torch)[-1]
    whole = model(x)
    if not torch.is_tensor(whole) or whole.shape != chained.shape or not torch.allclose(whole, chained,
                                                                                        rtol=0, atol=CHAIN_ATOL):
        diff = (whole - chained).abs().max().item() if torch.is_tensor(whole) and whole.shape == chained.shape \
            else float("nan")
        raise ExportError("the chained pieces disagree with %s (max |diff| %g, shapes %s vs %s): the unit list does"
                          " not cover the model's forward" % (what, diff, tuple(chained.shape),
                                                             tuple(whole.shape) if torch.is_tensor(whole) else None))


def write_raw(path, tensor):
    array = tensor.detach().contiguous().numpy().astype("<f4")
    with open(path, "wb") as f:
        f.write(array.tobytes(order="C"))


def piece_json(p):
    size = 4
    for d in p.output_shape:
        size *= d
    return {"role": p.role, "name": p.name, "file": p.file, "sha256": p.sha256, "file_bytes": p.file_bytes,
            "input_shape": p.input_shape, "output_shape": p.output_shape, "output_bytes_per_image": size,
            "params": p.params, "macs": p.macs}


def export(args, torch, torchvision):
    kind = parse_model_argument(args.model)
    torch.manual_seed(args.seed)
    state = load_state_dict(args.weights, torch) if args.weights else None
    if kind[0] == "catalog":
        name = kind[1]
        classes = args.classes
        if classes is None and state is not None and CLASSIFIER_WEIGHT[name] in state:
            classes = int(state[CLASSIFIER_WEIGHT[name]].shape[0])
        classes = classes or 10
        model, prefix, units, suffix = catalog_model(name, classes, torch, torchvision)
        input_shape = args.input or DEFAULT_INPUT.get(name, (3, 224, 224))
        if state is not None:
            if name == "inceptionv3":
                state = {k: v for k, v in state.items() if not k.startswith("AuxLogits.")}
            apply_weights(model, state, args.weights)
        source = "catalog:%s" % name
    else:
        model, prefix, units, suffix, name, wanted = user_model(kind[1], kind[2], args.classes, torch)
        input_shape = args.input or wanted
        if input_shape is None:
            raise UsageError("--input CxHxW is required for %s: its factory does not return 'input'" % args.model)
        if state is not None:
            if model is None:
                raise UsageError("--weights needs %s() to return the whole network as 'model' (the pieces are"
                                 " taken from it)" % kind[2])
            apply_weights(model, state, args.weights)
        source = "module:%s:%s" % (os.path.basename(kind[1]), kind[2])
    if not NAME_PATTERN.match(name):
        raise ExportError("model name %r: names are 1 to 100 characters without whitespace, '/' or '\\'" % name)
    pieces = ([prefix] if prefix else []) + units + [suffix]
    check_names(pieces)
    if model is not None:
        model.eval()
    for p in pieces:
        p.module.eval()
    assign_files(prefix, units, suffix)

    with torch.no_grad():
        measure(pieces, input_shape, torch)
        if model is not None:
            check_whole(model, pieces, input_shape, args.seed, torch,
                        "torchvision's %s" % name if kind[0] == "catalog" else "the factory's model")
        scripts = trace(pieces, input_shape, args.seed, torch)
        reference = None
        if args.reference:
            generator = torch.Generator().manual_seed(args.seed)
            ref_input = torch.randn((args.reference,) + tuple(input_shape), generator=generator)
            ref_output = model(ref_input) if model is not None else chain(pieces, ref_input, torch)[-1]
            reference = (ref_input, ref_output)

    out = os.path.abspath(args.out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".%s.tmp-" % os.path.basename(out), dir=parent)
    try:
        for piece, script in zip(pieces, scripts):
            path = os.path.join(tmp, piece.file)
            script.save(path)
            piece.sha256 = sha256_of(path)
            piece.file_bytes = os.path.getsize(path)
        output = pieces[-1].output_shape
        start = prefix.output_shape if prefix else list(input_shape)
        cuts = [{"split": 0, "unit": "(prefix)" if prefix else "(input)", "shape": start}]
        cuts += [{"split": i + 1, "unit": u.name, "shape": u.output_shape} for i, u in enumerate(units)]
        for c in cuts:
            size = 4
            for d in c["shape"]:
                size *= d
            c["bytes_per_image"] = size
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "model": name,
            "source": source,
            "created_by": "models/export/export_units.py",
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "dtype": "float32",
            "input": list(input_shape),
            "output": output,
            "classes": output[0] if len(output) == 1 else None,
            "seed": args.seed,
            "weights": None if not args.weights else {"file": os.path.basename(args.weights),
                                                      "sha256": sha256_of(args.weights)},
            "params": sum(p.params for p in pieces),
            "macs": None if any(p.macs is None for p in pieces) else sum(p.macs for p in pieces),
            "prefix": piece_json(prefix) if prefix else None,
            "units": [piece_json(u) for u in units],
            "suffix": piece_json(suffix),
            "cuts": cuts,
        }
        if reference is not None:
            entries = {}
            for key, tensor in (("input", reference[0]), ("output", reference[1])):
                file = "reference-%s.f32" % key
                write_raw(os.path.join(tmp, file), tensor)
                entries[key] = {"file": file, "shape": list(tensor.shape),
                                "sha256": sha256_of(os.path.join(tmp, file))}
            manifest["reference"] = {"encoding": "float32 little-endian, row-major", "seed": args.seed,
                                     "input": entries["input"], "output": entries["output"]}
        manifest["digest"] = manifest_digest(manifest)
        with open(os.path.join(tmp, MANIFEST), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        old = None
        if os.path.lexists(out):
            old = tempfile.mkdtemp(prefix=".%s.old-" % os.path.basename(out), dir=parent)
            os.rename(out, os.path.join(old, "previous"))
        os.rename(tmp, out)
        tmp = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return out, manifest


def main(argv):
    parser = argparse.ArgumentParser(
        prog="export_units.py",
        description="Export a PyTorch model as TorchScript split units (one file per piece plus manifest.json) "
                    "for ParetoPipe: benchmark it with -p model=DIR.",
        epilog="Exit status: 0 ok, 1 export failed, 2 bad arguments, 3 torch/torchvision missing. "
               "Format and user-module contract: docs/BYO_MODELS.md.")
    parser.add_argument("model", metavar="MODEL",
                        help="a catalog name (%s) or PATH/TO/MODULE.py:FACTORY" % ", ".join(CATALOG))
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="directory to write (must not exist or be empty, unless --force)")
    parser.add_argument("--weights", metavar="F",
                        help="state_dict to load (torch.save of model.state_dict(), or a checkpoint dict holding "
                             "it under 'state_dict' / 'model_state_dict'); default: random weights from --seed")
    parser.add_argument("--input", type=parse_chw, metavar="CxHxW",
                        help="per-image input shape (default 3x224x224, 3x299x299 for inceptionv3)")
    parser.add_argument("--classes", type=positive, metavar="N",
                        help="classifier outputs of a catalog model (default: from --weights, else 10); "
                             "passed to a user factory as classes=N")
    parser.add_argument("--seed", type=non_negative, default=0, metavar="S",
                        help="torch seed for random weights and the tracing and reference inputs (default 0)")
    parser.add_argument("--reference", type=non_negative, default=0, metavar="N",
                        help="also write N seeded standard-normal input images and the eager model's output for "
                             "them (reference-input.f32, reference-output.f32), to check a loader against")
    parser.add_argument("--force", action="store_true", help="replace DIR if it exists and is not empty")
    args = parser.parse_args(argv)

    try:
        parse_model_argument(args.model)
        if args.weights and not os.path.isfile(args.weights):
            raise UsageError("--weights %s does not exist" % args.weights)
        out = os.path.abspath(args.out)
        if os.path.lexists(out):
            if not os.path.isdir(out) or os.path.islink(out):
                raise UsageError("--out %s exists and is not a directory" % args.out)
            if os.listdir(out) and not args.force:
                raise UsageError("--out %s exists and is not empty: remove it or pass --force to replace it"
                                 % args.out)
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print("export_units.py: error: %s" % e, file=sys.stderr)
        return EXIT_USAGE

    try:
        import torch
        import torchvision
    except ImportError as e:
        print("export_units.py needs torch and torchvision (%s): on Debian run "
              "'apt-get install python3-torch python3-torchvision' and use /usr/bin/python3" % e, file=sys.stderr)
        return EXIT_NO_TORCH

    try:
        out, manifest = export(args, torch, torchvision)
    except UsageError as e:
        parser.print_usage(sys.stderr)
        print("export_units.py: error: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    except ExportError as e:
        print("export_units.py: %s: %s" % (args.model, e), file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:
        print("export_units.py: writing %s failed: %s" % (args.out, e), file=sys.stderr)
        return EXIT_FAILED
    n = len(manifest["units"])
    print("%s: %s as %d units%s, input %s, output %s, %d parameters, torch %s, digest %s" % (
        out, manifest["model"], n, " + prefix" if manifest["prefix"] else "", chw(manifest["input"]),
        chw(manifest["output"]), manifest["params"], manifest["torch"], manifest["digest"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
