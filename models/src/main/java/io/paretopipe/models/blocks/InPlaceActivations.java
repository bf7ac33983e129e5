package io.paretopipe.models.blocks;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.paretopipe.models.Engines;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * torchvision's {@code ReLU(inplace=True)} and {@code ReLU6(inplace=True)}: the activation written
 * back into its input, with no new tensor. DJL's NDArray API and its PyTorch JNI offer relu and
 * clamp only out of place, so these run torch's own in-place kernels ({@code relu_}, {@code
 * hardtanh_}) through a two-method TorchScript module shipped as a resource ({@code
 * inplace-activations.pt}, written by {@code models/export/inplace_activations.py}; no parameters).
 *
 * <p>Each call costs four JNI calls (wrap, run, two frees) against an activation pass over up to
 * tens of MB; it saves a tensor allocation and keeps the working set one activation smaller. The
 * module is loaded once per process, on first use, and lives as long as the process (it holds no
 * tensor). Thread-safe: TorchScript methods may run concurrently.
 */
public final class InPlaceActivations {

  private static final String RESOURCE = "inplace-activations.pt";

  private InPlaceActivations() {}

  /** {@code x = max(x, 0)} in place; {@code x} must not be aliased by anything still needed. */
  public static void relu(PtNDArray x) {
    run("relu_", x);
  }

  /** {@code x = min(max(x, 0), 6)} in place; same rule as {@link #relu}. */
  public static void relu6(PtNDArray x) {
    run("relu6_", x);
  }

  private static void run(String method, PtNDArray x) {
    try (IValue in = IValue.from(x);
        IValue out = IValueUtils.runMethod(Holder.MODULE, method, in)) {
      // out holds the same tensor as x: nothing to take from it
    }
  }

  /** Lazy holder: the module is loaded when an activation first runs. */
  private static final class Holder {
    static final PtSymbolBlock MODULE = load();

    private static PtSymbolBlock load() {
      try (InputStream in = InPlaceActivations.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "resource " + RESOURCE + " is missing from the models jar: rebuild it");
        }
        // a base manager that is never closed: the module lives as long as the process
        PtNDManager owner =
            (PtNDManager) NDManager.newBaseManager(Device.cpu(), Engines.pytorch().getEngineName());
        return JniUtils.loadModule(owner, in, false, false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot load " + RESOURCE, e);
      }
    }
  }
}
