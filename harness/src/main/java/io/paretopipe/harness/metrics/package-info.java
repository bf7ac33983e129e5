/**
 * CPU time per stage, read from the kernel: {@code /proc/<pid>/stat} (the whole process, every
 * thread including libtorch's native ones and threads that have exited), {@code
 * /proc/<pid>/task/<tid>/stat} (one thread) and, under a CPU quota, the quota cgroup's {@code
 * cpu.stat} (usage and throttling). {@link io.paretopipe.harness.metrics.StageCpuMeter} turns two
 * readings around a measured window into CPU milliseconds per image for the head, each remote stage
 * and their total (docs/ENERGY.md).
 */
package io.paretopipe.harness.metrics;
