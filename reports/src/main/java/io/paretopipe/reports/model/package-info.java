/**
 * The results model the renderers and the frontier work on: a {@link
 * io.paretopipe.reports.model.Point} is one partition point (one cut of one model over one
 * transport and link, at one batch size) with its latency, throughput, per-phase times and bytes at
 * the cut; a {@link io.paretopipe.reports.model.GroupKey} is what a frontier is computed over; a
 * {@link io.paretopipe.reports.model.Run} is everything read from one set of inputs. All types are
 * immutable. Times are milliseconds, throughput images per second, sizes bytes; unknown is {@link
 * Double#NaN} (or {@code -1} for bytes).
 */
package io.paretopipe.reports.model;
