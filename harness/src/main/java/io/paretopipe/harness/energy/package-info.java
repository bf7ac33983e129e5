/**
 * Energy per image in tiers, each figure labelled ({@link
 * io.paretopipe.harness.energy.EnergyLabel}): RAPL through powercap and perf's energy events
 * ({@code measured}), an external power meter's CSV ({@code imported}), and a model of CPU time
 * times a device's published active and idle watts ({@code estimated}); {@code unavailable}, with
 * the reason, when none applies. Never a silent zero. Apart from the tiers, {@link
 * io.paretopipe.harness.energy.LinkEnergy} estimates the link's energy from the bytes a run sends
 * and each end's published energy per byte. {@link io.paretopipe.harness.energy.EnergyMeters}
 * parses {@code run --energy} and picks the tier; docs/ENERGY.md has the tiers, their sources and a
 * real run.
 */
package io.paretopipe.harness.energy;
