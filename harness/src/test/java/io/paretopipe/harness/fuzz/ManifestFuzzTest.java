package io.paretopipe.harness.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.paretopipe.models.torchscript.ModelDirectoryException;
import io.paretopipe.models.torchscript.TorchScriptManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the manifest parser of exported TorchScript model directories ({@link
 * TorchScriptManifest#read}, BYO_MODELS.md): a stage reads a manifest when a handshake names a
 * directory under its {@code --models-dir}, so its bytes come from whoever wrote that directory. On
 * every input, written as {@code manifest.json} of a directory: the manifest is accepted (and then
 * its digest, units and cuts are consistent enough to ask for), or refused with a {@link
 * ModelDirectoryException} that names a file and says why; never another exception, a hang ({@link
 * TimeLimit}) or an out-of-memory error. The piece files are never read here ({@code read} does not
 * read them).
 *
 * <p>{@code mvn verify} replays the committed inputs under {@code
 * src/test/resources/io/paretopipe/harness/fuzz/ManifestFuzzTestInputs/manifest/} (a valid manifest
 * and one per kind of damage); {@code .ci/fuzz} fuzzes for 20 s.
 */
class ManifestFuzzTest {
  /** One directory per JVM, its manifest rewritten for each input. */
  private static final Path DIR = directory();

  private static Path directory() {
    try {
      Path dir = Files.createTempDirectory("paretopipe-manifest-fuzz");
      dir.toFile().deleteOnExit();
      dir.resolve(TorchScriptManifest.FILE_NAME).toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "20s")
  void manifest(byte[] json) {
    TimeLimit.run(json, () -> check(json));
  }

  /** The outcome: the accepted manifest, or null once a proper refusal was checked. */
  static TorchScriptManifest check(byte[] json) {
    Path file = DIR.resolve(TorchScriptManifest.FILE_NAME);
    try {
      Files.write(file, json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      TorchScriptManifest m = TorchScriptManifest.read(DIR);
      if (m.digest() == null || m.digest().isBlank() || m.units().isEmpty()) {
        throw violation("accepted without a digest or units: " + m, json, null);
      }
      return m;
    } catch (ModelDirectoryException e) {
      String message = e.getMessage();
      if (message == null || message.isBlank() || e.file() == null) {
        throw violation("a refusal without a message or a file: " + message, json, e);
      }
      return null;
    } catch (RuntimeException | StackOverflowError e) {
      throw violation("reading the manifest threw " + e, json, e);
    }
  }

  private static AssertionError violation(String what, byte[] input, Throwable cause) {
    return DecoderContract.violation(what, input, 0, cause);
  }

  @Test
  void theValidSeedIsAccepted() throws IOException {
    byte[] valid =
        ManifestFuzzTest.class
            .getResourceAsStream("ManifestFuzzTestInputs/manifest/valid")
            .readAllBytes();
    assertEquals("synthetic", check(valid).model());
  }
}
