/**
 * The kernel path: building {@code tc} command lines for a {@link
 * io.paretopipe.format.NetworkCondition} ({@link io.paretopipe.netem.tc.TcCommandBuilder}), finding
 * which qdisc kinds the kernel has ({@link io.paretopipe.netem.tc.QdiscProbe}), and applying rules
 * with guaranteed removal ({@link io.paretopipe.netem.tc.TcShaper}: on close, at JVM shutdown, or
 * by {@code netem clear} after a kill -9). Needs root (CAP_NET_ADMIN). Touches only the interface
 * it is given.
 */
package io.paretopipe.netem.tc;
