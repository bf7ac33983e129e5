package io.paretopipe.models;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns libtorch's NNPACK convolution path off in this process when NNPACK cannot initialise on
 * this CPU, so libtorch stops printing {@code Could not initialize NNPACK! Reason: Unsupported
 * hardware.} on every convolution (a default benchmark run printed that line 10,162 times).
 *
 * <p>libtorch 2.x asks {@code at::_nnpack_available()} before every convolution that NNPACK could
 * run, and that function logs the warning each time {@code nnp_initialize()} fails; it only asks
 * when {@code at::globalContext().userEnabledNNPACK()} is true (the flag behind Python's {@code
 * torch.backends.nnpack.set_flags}). DJL exposes neither, so this class calls the exported symbols
 * of the {@code libtorch_cpu.so} the process already loaded, through JNA:
 *
 * <ol>
 *   <li>{@code nnp_initialize()} (NNPACK's C API; idempotent, logs nothing): 0 means NNPACK works
 *       here and the flag is left alone, so a CPU where NNPACK runs keeps using it;
 *   <li>otherwise {@code at::globalContext()} and {@code at::Context::setUserEnabledNNPACK(false)}.
 *       libtorch then takes the convolution path it takes anyway when NNPACK is unavailable ({@code
 *       _nnpack_available()} is false there), so outputs and speed do not change; only the
 *       per-convolution warning goes.
 * </ol>
 *
 * <p>If the library or a symbol is missing (another libtorch build, another OS), nothing changes
 * and one line on stderr says why; libtorch's own warnings then stay as they were.
 */
final class Nnpack {

  private static final String LIBRARY_FILE = "libtorch_cpu.so";

  /** What {@link #disableIfUnsupported()} did in this process; null until it ran. */
  private static String outcome;

  private Nnpack() {}

  /**
   * Disables NNPACK in this process if it cannot initialise; runs once per process, later calls
   * return the first outcome. Call only after DJL loaded the PyTorch engine.
   *
   * @return what happened, e.g. {@code "disabled: nnp_initialize() returned 51"}, {@code "enabled:
   *     NNPACK initialised"} or {@code "unchanged: ..."} with the reason
   */
  static synchronized String disableIfUnsupported() {
    if (outcome == null) {
      outcome = apply();
      if (outcome.startsWith("unchanged")) {
        System.err.println("paretopipe: libtorch's NNPACK switch " + outcome);
      }
    }
    return outcome;
  }

  /**
   * libtorch's own flag, read from {@code at::Context::userEnabledNNPACK()}; empty if the library
   * or the symbol is missing.
   */
  static Optional<Boolean> userEnabled() {
    Optional<NativeLibrary> torch = loadedTorch();
    if (torch.isEmpty()) {
      return Optional.empty();
    }
    try {
      Pointer context =
          torch.get().getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
      Function get = torch.get().getFunction("_ZNK2at7Context17userEnabledNNPACKEv");
      return Optional.of((get.invokeInt(new Object[] {context}) & 0xff) != 0);
    } catch (UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }

  private static String apply() {
    Optional<NativeLibrary> torch = loadedTorch();
    if (torch.isEmpty()) {
      return "unchanged: no " + LIBRARY_FILE + " is loaded in this process";
    }
    try {
      int status = torch.get().getFunction("nnp_initialize").invokeInt(new Object[0]);
      if (status == 0) {
        return "enabled: NNPACK initialised";
      }
      Pointer context =
          torch.get().getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
      torch
          .get()
          .getFunction("_ZN2at7Context20setUserEnabledNNPACKEb")
          .invokeVoid(new Object[] {context, Boolean.FALSE});
      return "disabled: nnp_initialize() returned " + status;
    } catch (UnsatisfiedLinkError e) {
      return "unchanged: " + e.getMessage();
    }
  }

  /** The {@code libtorch_cpu.so} this process mapped (from {@code /proc/self/maps}). */
  private static Optional<NativeLibrary> loadedTorch() {
    Path maps = Path.of("/proc/self/maps");
    if (!Files.isReadable(maps)) {
      return Optional.empty();
    }
    try (var lines = Files.lines(maps)) {
      Optional<String> path =
          lines
              .map(
                  line -> line.substring(line.indexOf('/') < 0 ? line.length() : line.indexOf('/')))
              .filter(p -> p.endsWith("/" + LIBRARY_FILE))
              .findFirst();
      return path.map(NativeLibrary::getInstance);
    } catch (IOException | UnsatisfiedLinkError e) {
      return Optional.empty();
    }
  }
}
