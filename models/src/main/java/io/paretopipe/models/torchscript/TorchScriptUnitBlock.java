package io.paretopipe.models.torchscript;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.paretopipe.models.Shapes;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * One piece of a TorchScript model directory as a DJL block. Until {@link #initialize} it holds
 * only what the manifest says (shapes, parameter count, MACs), so a definition of a large model is
 * cheap and a stage loads only its own pieces' files.
 *
 * <p>{@link #initialize} (called by {@code StageModel}) checks the file's size and SHA-256 against
 * the manifest, loads it with DJL's PyTorch engine into the given manager (which then owns the
 * native module: closing the manager frees it), switches it to inference mode and checks its
 * parameter count against the manifest. Every forward checks the output shape against the manifest.
 * It carries its own weights, so it has no DJL {@link ai.djl.nn.Parameter}s to seed.
 *
 * <p>Thread-safety: {@link #initialize} once, from one thread; after that {@code forward} may be
 * called from several threads at once (TorchScript inference under DJL's no-grad guard). The first
 * forwards of a freshly loaded module are slower: TorchScript's profiling executor specializes the
 * graph during them (set {@code -Dai.djl.pytorch.graph_optimizer=false} to skip that).
 */
public final class TorchScriptUnitBlock extends AbstractBlock {

  private final TorchScriptManifest manifest;
  private final TorchScriptPiece piece;
  private volatile PtSymbolBlock module;
  private volatile long loadedParameters = -1;

  /**
   * @param manifest the validated manifest the piece belongs to
   * @param piece one of {@code manifest.pieces()}
   */
  public TorchScriptUnitBlock(TorchScriptManifest manifest, TorchScriptPiece piece) {
    this.manifest = Objects.requireNonNull(manifest, "manifest");
    this.piece = Objects.requireNonNull(piece, "piece");
  }

  /** The manifest entry of this piece. */
  public TorchScriptPiece piece() {
    return piece;
  }

  /** Trainable parameters according to the manifest. */
  public long params() {
    return piece.params();
  }

  /** MACs for one image according to the manifest; 0 where the exporter could not count them. */
  public long macs() {
    return Math.max(0, piece.macs());
  }

  /** The TorchScript file, absolute. */
  public Path file() {
    return manifest.directory().resolve(piece.file());
  }

  /**
   * Parameters of the loaded module ({@code -1} before {@link #initialize}), counted from the
   * module itself.
   */
  public long loadedParameterCount() {
    return loadedParameters;
  }

  /**
   * @throws IllegalArgumentException unless given exactly one {@code N x inputShape} shape
   */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    if (!fits(inputShapes)) {
      throw new IllegalArgumentException(
          "it takes "
              + Shapes.chw(piece.inputShape())
              + " only ("
              + piece.label()
              + " of "
              + manifest.model()
              + " in "
              + manifest.directory()
              + " was exported for that shape)");
    }
    long[] out = piece.outputShape();
    long[] dims = new long[out.length + 1];
    dims[0] = inputShapes[0].get(0);
    System.arraycopy(out, 0, dims, 1, out.length);
    return new Shape[] {new Shape(dims)};
  }

  private boolean fits(Shape[] inputShapes) {
    return inputShapes.length == 1
        && inputShapes[0].dimension() == piece.inputShape().length + 1
        && inputShapes[0].get(0) >= 1
        && Arrays.equals(inputShapes[0].slice(1).getShape(), piece.inputShape());
  }

  private void checkInput(Shape[] inputShapes) {
    if (!fits(inputShapes)) {
      throw new IllegalArgumentException(
          piece.label()
              + " of "
              + manifest.directory()
              + " takes N x "
              + Shapes.chw(piece.inputShape())
              + " float32, got "
              + Arrays.toString(inputShapes));
    }
  }

  /**
   * Verifies and loads the piece's TorchScript file into {@code manager}.
   *
   * @param manager a PyTorch manager; it owns the loaded module from now on
   * @param dataType must be float32
   * @param inputShapes one {@code N x inputShape} shape
   * @throws ModelDirectoryException if the file is missing, changed, not loadable, or its module
   *     holds a different number of parameters than the manifest records
   * @throws IllegalStateException if this block is already loaded
   */
  @Override
  public void initialize(NDManager manager, DataType dataType, Shape... inputShapes) {
    if (module != null) {
      throw new IllegalStateException(
          piece.label()
              + " of "
              + manifest.directory()
              + " is already loaded: build a fresh definition with ModelCatalog.define for each stage");
    }
    if (dataType != DataType.FLOAT32) {
      throw new IllegalArgumentException("dataType: " + dataType + " (expected: float32)");
    }
    if (!(manager instanceof PtNDManager pt)) {
      throw new IllegalArgumentException(
          "manager: "
              + manager.getClass().getName()
              + " (expected: a PyTorch engine manager; TorchScript units run only on the PyTorch engine)");
    }
    checkInput(inputShapes);
    beforeInitialize(inputShapes);
    Path file = manifest.verifyFile(piece);
    PtSymbolBlock loaded;
    try {
      loaded = JniUtils.loadModule(pt, file, false, new String[0], new String[0], false);
    } catch (EngineException e) {
      throw problem(
          file, "is not a TorchScript module this PyTorch can load (" + firstLine(e) + ")", e);
    }
    try {
      JniUtils.enableInferenceMode(loaded);
      long count = 0;
      try (NDManager scratch = manager.newSubManager()) {
        for (NDArray parameter : JniUtils.moduleGetParams(loaded, (PtNDManager) scratch)) {
          count += parameter.size();
        }
      }
      if (count != piece.params()) {
        throw problem(
            file,
            "holds " + count + " parameters but the manifest records " + piece.params(),
            null);
      }
      loadedParameters = count;
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
    module = loaded;
  }

  @Override
  public boolean isInitialized() {
    return module != null;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore parameterStore,
      NDList inputs,
      boolean training,
      PairList<String, Object> params) {
    PtSymbolBlock m = module;
    if (m == null) {
      throw new IllegalStateException(
          piece.label()
              + " of "
              + manifest.directory()
              + " is not loaded: StageModel.load initializes the pieces of its range");
    }
    if (inputs.size() != 1) {
      throw new IllegalArgumentException(piece.label() + " takes one tensor, got " + inputs.size());
    }
    checkInput(new Shape[] {inputs.head().getShape()});
    NDList out;
    try {
      out = m.forward(parameterStore, inputs, false, params);
    } catch (EngineException e) {
      throw new IllegalStateException(
          manifest.manifestFile()
              + ": "
              + piece.label()
              + ": file "
              + piece.file()
              + " fails on a "
              + inputs.head().getShape()
              + " input: "
              + firstLine(e),
          e);
    }
    checkOutput(out, inputs.head().getShape().get(0), file());
    return out;
  }

  private void checkOutput(NDList out, long batch, Path file) {
    long[] expected = batched(batch, piece.outputShape()).getShape();
    if (out.size() != 1
        || !Arrays.equals(out.head().getShape().getShape(), expected)
        || out.head().getDataType() != DataType.FLOAT32) {
      String got =
          out.size() == 1
              ? out.head().getDataType() + " " + out.head().getShape()
              : out.size() + " tensors";
      out.close();
      throw problem(
          file,
          "produces "
              + got
              + " for a batch of "
              + batch
              + " but the manifest records float32 "
              + new Shape(expected),
          null);
    }
  }

  private ModelDirectoryException problem(Path file, String what, Throwable cause) {
    String message =
        manifest.manifestFile() + ": " + piece.label() + ": file " + piece.file() + " " + what;
    return cause == null
        ? new ModelDirectoryException(file, message)
        : new ModelDirectoryException(file, message, cause);
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage()).strip();
    int newline = m.indexOf('\n');
    return newline < 0 ? m : m.substring(0, newline);
  }

  private static Shape batched(long batch, long[] perImage) {
    long[] dims = new long[perImage.length + 1];
    dims[0] = batch;
    System.arraycopy(perImage, 0, dims, 1, perImage.length);
    return new Shape(dims);
  }

  /** Not supported: the weights live in the TorchScript file. */
  @Override
  public void saveParameters(DataOutputStream os) {
    throw new UnsupportedOperationException(piece.label() + " carries its weights in " + file());
  }

  /** Not supported: the weights live in the TorchScript file. */
  @Override
  public void loadParameters(NDManager manager, DataInputStream is) {
    throw new UnsupportedOperationException(piece.label() + " carries its weights in " + file());
  }

  @Override
  public String toString() {
    return "TorchScript(" + piece + ")";
  }
}
