/**
 * Reference programs that measure what this machine's kernel and caches cost before any protocol
 * (docs/OVERHEAD.md).
 */
package io.paretopipe.benchmarks.floor;
