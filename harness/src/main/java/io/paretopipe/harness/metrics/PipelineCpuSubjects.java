package io.paretopipe.harness.metrics;

import io.paretopipe.harness.driver.Pipeline;
import io.paretopipe.harness.placement.StageServerProcess;
import java.util.ArrayList;
import java.util.List;

/** Which process (and which of its threads) each stage of a {@link Pipeline} runs in. */
public final class PipelineCpuSubjects {

  private PipelineCpuSubjects() {}

  /** As {@link #of(Pipeline, List)} with the pipeline's own spawned stage servers. */
  public static List<CpuSubject> of(Pipeline pipeline) {
    return of(pipeline, pipeline.servers().stream().map(StageServerProcess::pid).toList());
  }

  /**
   * One subject per stage: the head is this process; with {@code local} the remote stage is this
   * process's {@value CpuSubject#STAGE_THREAD_PREFIX}* threads and the head the other threads; over
   * a network transport stage {@code i} is {@code stagePids[i-1]} (a spawned or shared stage server
   * on this machine) and a stage without a pid, on another host, is unavailable.
   *
   * @param stagePids the processes of the remote stages on this machine, in order
   */
  public static List<CpuSubject> of(Pipeline pipeline, List<Long> stagePids) {
    long self = ProcessHandle.current().pid();
    int remote = pipeline.partition().stageCount() - 1;
    List<CpuSubject> out = new ArrayList<>();
    java.nio.file.Path headQuota = pipeline.cpuQuotaDirectory(self).orElse(null);
    if (!pipeline.spec().transport().network()) {
      if (remote == 0) {
        out.add(CpuSubject.process("head", self, headQuota));
        return out;
      }
      out.add(new CpuSubject("head", self, CpuSubject.Scope.OTHER_THREADS, headQuota, null));
      if (remote == 1) {
        out.add(new CpuSubject("stage1", self, CpuSubject.Scope.STAGE_THREADS, null, null));
      } else {
        for (int i = 1; i <= remote; i++) {
          out.add(
              CpuSubject.unavailable(
                  "stage" + i,
                  "transport local runs stages 1.."
                      + remote
                      + " in this process, and Linux thread names (15 characters) do not tell"
                      + " their compute threads apart; cpu.process_total_ms_per_image has them"
                      + " all"));
        }
      }
      return out;
    }
    out.add(CpuSubject.process("head", self, headQuota));
    for (int i = 1; i <= remote; i++) {
      if (i - 1 < stagePids.size()) {
        long pid = stagePids.get(i - 1);
        out.add(CpuSubject.process("stage" + i, pid, pipeline.cpuQuotaDirectory(pid).orElse(null)));
      } else {
        String address =
            i - 1 < pipeline.spec().tails().size() ? pipeline.spec().tails().get(i - 1) : "?";
        out.add(
            CpuSubject.unavailable(
                "stage" + i,
                "stage at "
                    + address
                    + " runs in a process this machine cannot read: measure it on its host"
                    + " (/proc/<pid>/stat of its 'serve' process)"));
      }
    }
    return out;
  }
}
