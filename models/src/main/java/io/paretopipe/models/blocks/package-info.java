/**
 * Small DJL blocks the catalog needs beyond DJL's own: branches joined by addition or
 * concatenation (residual connections, Inception modules) and PyTorch's adaptive average pooling.
 * Each block reports exact output shapes without running, so costs can be computed without weights.
 */
package io.paretopipe.models.blocks;
