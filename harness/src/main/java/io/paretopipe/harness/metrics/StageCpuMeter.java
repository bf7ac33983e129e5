package io.paretopipe.harness.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures the CPU time of each stage of a pipeline over a window: {@link #start()} before the
 * first measured request, {@link Window#stop(long)} after the last one has come back.
 *
 * <p>A stage that is a whole process is read from {@code /proc/<pid>/stat} (all threads, libtorch's
 * native ones and those that exited in the window included); stages that share a process (the
 * {@code local} transport) are told apart by thread name from {@code /proc/<pid>/task/*}. A stage
 * under a CPU quota also gets its cgroup's {@code cpu.stat} change (usage, throttled periods and
 * time). The process total ({@link CpuReport#processTotalMillis()}) is read from the process lines,
 * independently of the per-stage split, so the two can be checked against each other.
 *
 * <p>Resolution: one clock tick, 10 ms at USER_HZ 100, per process and per thread. Not thread-safe;
 * one thread starts and stops a window. Reading {@code /proc} is cheap (a few file reads per
 * stage), but do it around a window, not per request.
 */
public final class StageCpuMeter {

  private final ProcCpu proc;
  private final List<CpuSubject> subjects;

  /**
   * @param proc the {@code /proc} to read
   * @param subjects one per stage, in pipeline order ({@code head} first)
   */
  public StageCpuMeter(ProcCpu proc, List<CpuSubject> subjects) {
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("subjects: empty (expected: at least the head)");
    }
    this.proc = proc;
    this.subjects = List.copyOf(subjects);
  }

  public List<CpuSubject> subjects() {
    return subjects;
  }

  /** Takes the first reading. */
  public Window start() {
    return new Window(snapshot(), System.nanoTime());
  }

  /** An open measuring window. */
  public final class Window {
    private final Snapshot start;
    private final long startNanos;

    private Window(Snapshot start, long startNanos) {
      this.start = start;
      this.startNanos = startNanos;
    }

    /**
     * Takes the second reading and reports the difference.
     *
     * @param images images completed in the window, {@code >= 1}
     */
    public CpuReport stop(long images) {
      if (images < 1) {
        throw new IllegalArgumentException("images: " + images + " (expected: >= 1)");
      }
      Snapshot end = snapshot();
      double wallSeconds = (System.nanoTime() - startNanos) / 1e9;
      List<StageCpu> stages = new ArrayList<>();
      for (int i = 0; i < subjects.size(); i++) {
        CpuSubject s = subjects.get(i);
        if (!s.available()) {
          stages.add(new StageCpu(s, null, null, 0, null));
          continue;
        }
        ProcCpu.Ticks d =
            s.scope() == CpuSubject.Scope.OTHER_THREADS
                ? otherThreads(s.pid(), start, end)
                : delta(start.stage.get(i), end.stage.get(i));
        CgroupCpuStat cg = s.cgroup() == null ? null : end.cgroup.get(i).minus(start.cgroup.get(i));
        stages.add(
            new StageCpu(
                s, ProcCpu.millis(d.user()), ProcCpu.millis(d.system()), end.threads.get(i), cg));
      }
      Double processTotal = null;
      if (subjects.stream().allMatch(CpuSubject::available)) {
        ProcCpu.Ticks sum = new ProcCpu.Ticks(0, 0);
        for (Map.Entry<Long, ProcCpu.Ticks> e : end.processes.entrySet()) {
          sum = sum.plus(e.getValue().minus(start.processes.get(e.getKey())));
        }
        processTotal = ProcCpu.millis(sum.total());
      }
      return new CpuReport(stages, images, wallSeconds, processTotal, ProcCpu.ticksPerSecond());
    }
  }

  /**
   * An {@link CpuSubject.Scope#OTHER_THREADS} subject's ticks: its process's minus those of the
   * process's {@link CpuSubject.Scope#STAGE_THREADS} subjects, so that a thread that exited in the
   * window (HotSpot starts and ends compiler threads as its queue grows and shrinks) still counts,
   * and the stages of one process add up to its total. A field the two readings' instants leave
   * below zero reads zero.
   */
  private ProcCpu.Ticks otherThreads(long pid, Snapshot start, Snapshot end) {
    ProcCpu.Ticks rest = end.processes.get(pid).minus(start.processes.get(pid));
    for (int j = 0; j < subjects.size(); j++) {
      CpuSubject t = subjects.get(j);
      if (t.available() && t.pid() == pid && t.scope() == CpuSubject.Scope.STAGE_THREADS) {
        rest = rest.minus(delta(start.stage.get(j), end.stage.get(j)));
      }
    }
    return new ProcCpu.Ticks(Math.max(0, rest.user()), Math.max(0, rest.system()));
  }

  /**
   * Per stage: ticks by thread id (a whole process under the key {@value #WHOLE_PROCESS}); a thread
   * that started in the window counts from zero, one that ended in it is missing from the end.
   */
  private record Snapshot(
      List<Map<Long, ProcCpu.Ticks>> stage,
      List<Integer> threads,
      List<CgroupCpuStat> cgroup,
      Map<Long, ProcCpu.Ticks> processes) {}

  private static final long WHOLE_PROCESS = -1;

  private static ProcCpu.Ticks delta(Map<Long, ProcCpu.Ticks> start, Map<Long, ProcCpu.Ticks> end) {
    ProcCpu.Ticks sum = new ProcCpu.Ticks(0, 0);
    for (Map.Entry<Long, ProcCpu.Ticks> e : end.entrySet()) {
      ProcCpu.Ticks before = start.get(e.getKey());
      sum = sum.plus(before == null ? e.getValue() : e.getValue().minus(before));
    }
    return sum;
  }

  private Snapshot snapshot() {
    Set<Long> pids = new LinkedHashSet<>();
    for (CpuSubject s : subjects) {
      if (s.available()) {
        pids.add(s.pid());
      }
    }
    Map<Long, List<ProcCpu.ThreadTicks>> threadsByPid = new HashMap<>();
    Map<Long, ProcCpu.Ticks> processes = new HashMap<>();
    for (long pid : pids) {
      processes.put(pid, proc.process(pid));
    }
    List<Map<Long, ProcCpu.Ticks>> stage = new ArrayList<>();
    List<Integer> threads = new ArrayList<>();
    List<CgroupCpuStat> cgroup = new ArrayList<>();
    for (CpuSubject s : subjects) {
      if (!s.available()) {
        stage.add(null);
        threads.add(0);
        cgroup.add(null);
        continue;
      }
      if (s.scope() == CpuSubject.Scope.PROCESS) {
        stage.add(Map.of(WHOLE_PROCESS, processes.get(s.pid())));
        threads.add(0);
      } else {
        List<ProcCpu.ThreadTicks> all = threadsByPid.computeIfAbsent(s.pid(), proc::threads);
        Map<Long, ProcCpu.Ticks> byThread = new HashMap<>();
        for (ProcCpu.ThreadTicks t : all) {
          if (s.counts(t.name())) {
            byThread.put(t.tid(), t.ticks());
          }
        }
        stage.add(byThread);
        threads.add(byThread.size());
      }
      cgroup.add(s.cgroup() == null ? null : CgroupCpuStat.read(s.cgroup()));
    }
    return new Snapshot(stage, threads, cgroup, processes);
  }
}
