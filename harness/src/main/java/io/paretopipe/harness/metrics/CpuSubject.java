package io.paretopipe.harness.metrics;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What one stage's CPU time is read from.
 *
 * @param stage {@code head}, {@code stage1}, {@code stage2}, ... in pipeline order
 * @param pid the process the stage runs in; ignored when {@code unavailableReason} is set
 * @param scope which of the process's threads are the stage's
 * @param cgroup the CPU-quota cgroup holding the process, or null when it runs without a quota
 * @param unavailableReason why this stage cannot be measured from here (e.g. it runs on another
 *     host), or null when it can
 */
public record CpuSubject(
    String stage, long pid, Scope scope, Path cgroup, String unavailableReason) {

  /** Which threads of {@link #pid()} count. */
  public enum Scope {
    /** The whole process ({@code /proc/<pid>/stat}): every thread, exited ones included. */
    PROCESS,
    /**
     * The threads named {@value #STAGE_THREAD_PREFIX}* (a stage served in this process by the
     * {@code local} transport), from {@code /proc/<pid>/task/*}.
     */
    STAGE_THREADS,
    /**
     * Every other thread of the process (the head when the stages share its process), exited ones
     * included: the process's total minus its {@link #STAGE_THREADS} subjects'.
     */
    OTHER_THREADS
  }

  /**
   * Linux name prefix of a stage session's compute thread ({@code
   * stage-compute-<model>-<from>-<to>} cut to 15 characters by the kernel).
   */
  public static final String STAGE_THREAD_PREFIX = "stage-compute-";

  public CpuSubject {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(scope, "scope");
  }

  /** A stage that is a whole process. */
  public static CpuSubject process(String stage, long pid, Path cgroup) {
    return new CpuSubject(stage, pid, Scope.PROCESS, cgroup, null);
  }

  /** A stage this meter cannot see, with the reason. */
  public static CpuSubject unavailable(String stage, String reason) {
    return new CpuSubject(stage, -1, Scope.PROCESS, null, Objects.requireNonNull(reason));
  }

  public boolean available() {
    return unavailableReason == null;
  }

  boolean counts(String threadName) {
    boolean stageThread = threadName.startsWith(STAGE_THREAD_PREFIX);
    return switch (scope) {
      case PROCESS -> true;
      case STAGE_THREADS -> stageThread;
      case OTHER_THREADS -> !stageThread;
    };
  }
}
