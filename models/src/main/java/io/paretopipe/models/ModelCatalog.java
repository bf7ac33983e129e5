package io.paretopipe.models;

import io.paretopipe.models.arch.AlexNet;
import io.paretopipe.models.arch.InceptionV3;
import io.paretopipe.models.arch.MobileNetV2;
import io.paretopipe.models.arch.ResNet;
import io.paretopipe.models.arch.Vgg16;
import io.paretopipe.models.torchscript.TorchScriptArchitecture;
import io.paretopipe.models.torchscript.TorchScriptManifest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models by name: the built-in architectures, and TorchScript model directories written by
 * {@code models/export/export_units.py}. A name is a directory when it is not a built-in name and
 * contains a {@code /} (or the platform's separator) or names an existing directory; use {@code
 * ./resnet18} for a directory that shares a built-in's name.
 *
 * <p>{@link #blueprint} is the entry point: the shape, costs and digest of a model for given
 * options, built once per process and shared (a directory once per manifest digest: its manifest is
 * read at every call, its piece files are hashed only when the digest is new, and each stage checks
 * the files it loads again). {@link #define} is a fresh, caller-owned definition of a blueprint.
 * Thread-safe.
 */
public final class ModelCatalog {

  private static final Map<String, Architecture> BUILT_IN;

  static {
    Map<String, Architecture> m = new LinkedHashMap<>();
    for (Architecture a :
        List.of(
            ResNet.resnet18(),
            ResNet.resnet50(),
            new MobileNetV2(),
            new Vgg16(),
            new AlexNet(),
            new InceptionV3())) {
      m.put(a.name(), a);
    }
    BUILT_IN = Collections.unmodifiableMap(m);
  }

  /** Blueprints kept, least recently used dropped first. */
  private static final int MAX_BLUEPRINTS = 64;

  /** What a blueprint is kept under: the model, the requested options, the directory's digest. */
  private record Key(String name, ModelOptions options, String digest) {}

  private static final Map<Key, ModelBlueprint> BLUEPRINTS =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, ModelBlueprint> eldest) {
              return size() > MAX_BLUEPRINTS;
            }
          });

  private ModelCatalog() {}

  /** Names of the built-in models, in catalog order. */
  public static List<String> names() {
    return List.copyOf(BUILT_IN.keySet());
  }

  /**
   * The architecture called {@code name}: a built-in, or the TorchScript model directory at that
   * path (its manifest validated and every file's SHA-256 checked).
   *
   * @throws IllegalArgumentException listing the known names if there is none; a {@link
   *     io.paretopipe.models.torchscript.ModelDirectoryException} naming the file and the problem
   *     if the directory is unusable
   */
  public static Architecture architecture(String name) {
    Architecture a = BUILT_IN.get(name);
    if (a != null) {
      return a;
    }
    Path directory = directoryOf(name);
    if (directory == null) {
      throw unknown(name);
    }
    return TorchScriptArchitecture.open(directory);
  }

  /** Whether {@code name} resolves to a TorchScript model directory rather than a built-in. */
  public static boolean isDirectory(String name) {
    return !BUILT_IN.containsKey(name) && directoryOf(name) != null;
  }

  /**
   * The model digest a stage handshake carries: "" for a built-in (its weights are a function of
   * the seed), the manifest's SHA-256 digest (64 hex digits) for a directory. Reads and validates
   * the manifest only, not the unit files ({@link #define} checks those).
   *
   * @throws IllegalArgumentException for an unknown name or an unusable manifest
   */
  public static String digest(String name) {
    if (BUILT_IN.containsKey(name)) {
      return "";
    }
    Path directory = directoryOf(name);
    if (directory == null) {
      throw unknown(name);
    }
    return TorchScriptManifest.read(directory).digest();
  }

  private static Path directoryOf(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    try {
      Path path = Path.of(name);
      boolean looksLikePath = name.indexOf('/') >= 0 || name.indexOf(File.separatorChar) >= 0;
      return looksLikePath || Files.isDirectory(path) ? path : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static IllegalArgumentException unknown(String name) {
    return new IllegalArgumentException(
        "unknown model '" + name + "': known models are " + String.join(", ", names()));
  }

  /**
   * The blueprint of {@code name} for the given options (input defaulted), checking that the input
   * fits: the same object for the same model and options as long as it is kept (see the class
   * comment). For a directory its name is the directory's absolute path and its options carry the
   * exported input and classes (see {@link TorchScriptArchitecture#define}).
   *
   * @throws IllegalArgumentException for an unknown model, an unusable directory, or an input (or,
   *     for a directory, classes) the model cannot take
   */
  public static ModelBlueprint blueprint(String name, ModelOptions options) {
    Architecture builtIn = BUILT_IN.get(name);
    if (builtIn != null) {
      ModelOptions requested = options.withDefaultInput(builtIn.defaultInput());
      return cached(new Key(name, requested, ""), () -> builtIn, requested);
    }
    Path directory = directoryOf(name);
    if (directory == null) {
      throw unknown(name);
    }
    TorchScriptManifest manifest = TorchScriptManifest.read(directory);
    ModelOptions requested = options.withDefaultInput(manifest.input());
    return cached(
        new Key(manifest.directory().toString(), requested, manifest.digest()),
        () -> TorchScriptArchitecture.of(manifest),
        requested);
  }

  /** {@link #blueprint(String, ModelOptions)} with default options. */
  public static ModelBlueprint blueprint(String name) {
    return blueprint(name, ModelOptions.builder().build());
  }

  private static ModelBlueprint cached(
      Key key, java.util.function.Supplier<Architecture> architecture, ModelOptions requested) {
    ModelBlueprint known = BLUEPRINTS.get(key);
    if (known != null) {
      return known;
    }
    // built outside the lock (a directory's files are hashed here); a racing twin is dropped
    ModelBlueprint made = new ModelBlueprint(architecture.get(), requested, key.digest());
    ModelBlueprint raced = BLUEPRINTS.putIfAbsent(key, made);
    return raced != null ? raced : made;
  }

  /**
   * A fresh definition of {@code name} for the given options, owned by the caller: {@code
   * blueprint(name, options).instantiate()}.
   *
   * @throws IllegalArgumentException as {@link #blueprint(String, ModelOptions)}
   */
  public static ModelDefinition define(String name, ModelOptions options) {
    return blueprint(name, options).instantiate();
  }

  /** {@link #define(String, ModelOptions)} with default options. */
  public static ModelDefinition define(String name) {
    return define(name, ModelOptions.builder().build());
  }
}
