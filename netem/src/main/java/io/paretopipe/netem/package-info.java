/**
 * Network conditions for ParetoPipe: applying a {@link io.paretopipe.format.NetworkCondition} (its
 * presets and JMH-friendly spec form live in the {@code format} module, shared with the reports)
 * and {@link io.paretopipe.netem.NetemTool} (the {@code netem probe|apply|show|clear} command).
 * Sub-packages by role: {@code tc} (the kernel path), {@code ns} (two hosts on one machine), {@code
 * link} (the user-space link), {@code device} (device profiles and CPU quotas), {@code internal}
 * (not an API). Depends on the JDK and {@code format} only. See docs/NETEM.md.
 */
package io.paretopipe.netem;
