/**
 * Small DJL blocks the catalog needs beyond DJL's own: branches joined by addition or concatenation
 * (residual connections, Inception modules), PyTorch's adaptive average pooling, ReLU and a
 * single-pass ReLU6 as blocks of their own types, and torch's in-place activations ({@code
 * InPlaceActivations}). Each block reports exact output shapes without running, so costs can be
 * computed without weights.
 */
package io.paretopipe.models.blocks;
