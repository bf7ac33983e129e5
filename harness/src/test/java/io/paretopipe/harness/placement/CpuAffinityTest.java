package io.paretopipe.harness.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CpuAffinityTest {

  /**
   * A JVM's threads come and go (JIT, GC, gRPC and JMH workers); pinning the whole process must not
   * fail because one of them ended while taskset walked the thread list.
   */
  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void pinningAProcessWhoseThreadsComeAndGoSucceeds() throws Exception {
    assumeTrue(CpuAffinity.tasksetAvailable(), "taskset is missing (apt-get install util-linux)");
    long self = ProcessHandle.current().pid();
    String allowed = CpuAffinity.allowedCpus(self);
    AtomicBoolean run = new AtomicBoolean(true);
    Thread churn =
        new Thread(
            () -> {
              while (run.get()) {
                Thread[] batch = new Thread[16];
                for (int i = 0; i < batch.length; i++) {
                  batch[i] = new Thread(() -> {});
                  batch[i].start();
                }
                try {
                  for (Thread t : batch) {
                    t.join();
                  }
                  Thread.sleep(1);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "thread-churn");
    churn.start();
    try {
      for (int i = 0; i < 150; i++) {
        CpuAffinity.pin(self, allowed);
      }
    } finally {
      run.set(false);
      churn.join();
    }
    assertEquals(allowed, CpuAffinity.allowedCpus(self));
  }
}
