/**
 * The head side of a pipeline: brings up the remote stages, keeps at most {@code depth} requests in
 * flight, and times every request on the head's one clock into HdrHistograms.
 */
package io.paretopipe.harness.driver;
