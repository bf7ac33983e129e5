/**
 * Network conditions for ParetoPipe: {@link io.paretopipe.netem.NetworkCondition} (presets and the
 * JMH-friendly spec form) and {@link io.paretopipe.netem.NetemTool} (the {@code netem
 * probe|apply|show|clear} command). Sub-packages by role: {@code tc} (the kernel path), {@code ns}
 * (two hosts on one machine), {@code link} (the user-space link), {@code device} (device profiles
 * and CPU quotas), {@code internal} (not an API). Depends on the JDK only. See docs/NETEM.md.
 */
package io.paretopipe.netem;
