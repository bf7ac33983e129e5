/**
 * The model catalog: torchvision-faithful architectures built from DJL blocks, each an ordered list
 * of split units between a prefix (always on the head) and a suffix (always on the tail).
 */
package io.paretopipe.models;
