/**
 * The six catalog architectures, each written to equal torchvision's layer for layer and cut into
 * units exactly where the reference ParetoPipe cuts them.
 */
package io.paretopipe.models.arch;
