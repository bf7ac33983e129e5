/**
 * The {@code paretopipe.jar} command line: {@code models}, {@code serve}, {@code run}, {@code
 * netem}.
 */
package io.paretopipe.harness.cli;
