/**
 * Device profiles: which CPUs, how many threads and what CPU quota a stage gets so it can play a
 * weaker device ({@link io.paretopipe.netem.device.DeviceProfile}, read by {@link
 * io.paretopipe.netem.device.DeviceProfiles} from {@code device-profiles.properties}), and {@link
 * io.paretopipe.netem.device.CpuQuota}, a cgroup (v1 or v2) that caps a process's CPU time and is
 * removed on close.
 */
package io.paretopipe.netem.device;
