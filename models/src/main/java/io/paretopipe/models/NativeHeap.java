package io.paretopipe.models;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;

/**
 * Gives the memory glibc's malloc holds free back to the system: {@code malloc_trim(0)}.
 *
 * <p>Why a process calls it: with {@link Engines#RECOMMENDED_ALLOCATOR_ENV} (no mmap, a 16 GiB trim
 * threshold, which keep PyTorch's activation buffers mapped so forwards take no page faults) glibc
 * never returns what {@code free} releases. A stage server whose cache closes a 512 MiB stage keeps
 * those pages resident until something reuses them; {@code malloc_trim(0)} returns the free top of
 * the main heap and the whole free pages inside every arena ({@code madvise(MADV_DONTNEED)}), so a
 * later allocation takes a page fault per page again. So call it after freeing something large (an
 * evicted stage), never per request.
 *
 * <p>Not on glibc (musl, macOS, Windows) there is no {@code malloc_trim}: {@link #trim()} does
 * nothing and {@link #unavailable()} says why; the first call writes that reason to stderr once.
 */
public final class NativeHeap {

  private static final Function MALLOC_TRIM;
  private static final String UNAVAILABLE;
  private static boolean warned;

  static {
    Function trim = null;
    String reason = null;
    try {
      trim = NativeLibrary.getInstance("c").getFunction("malloc_trim");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      reason = "no glibc malloc_trim in this process's C library (" + e.getMessage() + ")";
    }
    MALLOC_TRIM = trim;
    UNAVAILABLE = reason;
  }

  private NativeHeap() {}

  /**
   * {@code malloc_trim(0)}: returns free heap memory to the system. Takes tens of milliseconds for
   * gigabytes of free memory; thread-safe (glibc locks each arena in turn).
   *
   * @return true if memory was returned, false if none was or {@code malloc_trim} is unavailable
   */
  public static boolean trim() {
    if (MALLOC_TRIM == null) {
      synchronized (NativeHeap.class) {
        if (!warned) {
          warned = true;
          System.err.println(
              "paretopipe: freed native memory stays with the allocator: " + UNAVAILABLE);
        }
      }
      return false;
    }
    return MALLOC_TRIM.invokeInt(new Object[] {new NativeLong(0)}) != 0;
  }

  /** Why {@link #trim()} does nothing here, or null if it trims (glibc). */
  public static String unavailable() {
    return UNAVAILABLE;
  }
}
