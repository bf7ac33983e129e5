/**
 * Two emulated hosts on one machine: {@link io.paretopipe.netem.ns.NamespacePair} creates network
 * namespaces joined by a veth pair with private addresses, runs commands inside them, and removes
 * them on close, at JVM shutdown, or as leftovers of a dead owner. Needs root.
 */
package io.paretopipe.netem.ns;
