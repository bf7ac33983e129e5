package io.paretopipe.models.torchscript;

import io.paretopipe.models.Architecture;
import io.paretopipe.models.ModelDefinition;
import io.paretopipe.models.ModelOptions;
import io.paretopipe.models.Shapes;
import io.paretopipe.models.Unit;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A TorchScript model directory as a catalog entry: {@link #define} gives a {@link ModelDefinition}
 * whose prefix, units and suffix are {@link TorchScriptUnitBlock}s, so {@code StageModel}, {@code
 * CostWalker}, {@code CutTable} and {@code Partition} treat it like a built-in model. Immutable and
 * thread-safe; each {@link #define} call returns fresh blocks.
 *
 * <p>Its {@link #name()} is the directory's absolute, normalized path: that is what definitions,
 * cut tables and stage handshakes carry, and what {@code ModelCatalog.define} resolves again.
 */
public final class TorchScriptArchitecture implements Architecture {

  private final TorchScriptManifest manifest;

  private TorchScriptArchitecture(TorchScriptManifest manifest) {
    this.manifest = manifest;
  }

  /**
   * Reads and validates {@code directory}: the manifest ({@link TorchScriptManifest#read}) and
   * every piece file's size and SHA-256 ({@link TorchScriptManifest#verifyFiles}).
   *
   * @throws ModelDirectoryException naming the file and the problem
   */
  public static TorchScriptArchitecture open(Path directory) {
    return of(TorchScriptManifest.read(directory));
  }

  /**
   * The architecture of an already validated manifest, after checking every piece file's size and
   * SHA-256 ({@link TorchScriptManifest#verifyFiles}).
   *
   * @throws ModelDirectoryException naming the file and the problem
   */
  public static TorchScriptArchitecture of(TorchScriptManifest manifest) {
    manifest.verifyFiles();
    return new TorchScriptArchitecture(manifest);
  }

  public TorchScriptManifest manifest() {
    return manifest;
  }

  /** The directory's absolute, normalized path. */
  @Override
  public String name() {
    return manifest.directory().toString();
  }

  /** The input the model was exported for; the only one it takes. */
  @Override
  public int[] defaultInput() {
    return manifest.input();
  }

  /**
   * The manifest's digest: what a stage handshake compares to know both ends loaded the same model.
   */
  public String digest() {
    return manifest.digest();
  }

  /**
   * A fresh definition of the exported model.
   *
   * <p>The input must be the one it was exported for. Classes: the exported number is used; {@link
   * ModelOptions#DEFAULT_CLASSES} is taken to mean "not chosen" (options cannot tell an explicit 10
   * from the default), any other value must equal the exported number. Models whose output is not a
   * vector keep the requested classes. The seed is kept (it seeds inputs only: the weights come
   * from the files).
   *
   * @throws IllegalArgumentException if the input or classes do not fit, naming both values
   */
  @Override
  public ModelDefinition define(ModelOptions options) {
    int[] in = options.input();
    int[] exported = manifest.input();
    if (in != null && !Arrays.equals(in, exported)) {
      throw new IllegalArgumentException(
          "input "
              + Shapes.chw(in)
              + " does not fit "
              + describe()
              + ": it was exported for input "
              + Shapes.chw(exported)
              + " only; leave the input unset, or"
              + " re-export it with --input "
              + Shapes.chw(in));
    }
    int classes = options.classes();
    if (manifest.classes().isPresent()) {
      int exportedClasses = manifest.classes().getAsInt();
      if (classes != exportedClasses && classes != ModelOptions.DEFAULT_CLASSES) {
        throw new IllegalArgumentException(
            "classes "
                + classes
                + " does not fit "
                + describe()
                + ": it was exported with "
                + exportedClasses
                + " classes; pass classes="
                + exportedClasses
                + " or leave it unset, or re-export it with --classes "
                + classes);
      }
      classes = exportedClasses;
    }
    ModelOptions effective =
        ModelOptions.builder()
            .optClasses(classes)
            .optInput(exported)
            .optSeed(options.seed())
            .build();
    Optional<Unit> prefix = manifest.prefix().map(this::unit);
    List<Unit> units = manifest.units().stream().map(this::unit).toList();
    return new ModelDefinition(name(), effective, prefix, units, unit(manifest.suffix()));
  }

  private Unit unit(TorchScriptPiece piece) {
    return new Unit(piece.name(), new TorchScriptUnitBlock(manifest, piece));
  }

  private String describe() {
    return "TorchScript model " + manifest.model() + " in " + manifest.directory();
  }

  @Override
  public String toString() {
    return manifest.toString();
  }
}
