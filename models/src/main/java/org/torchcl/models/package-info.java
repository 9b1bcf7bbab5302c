/**
 * Reusable model definitions in PyTorch style, with the parameter names of their reference
 * implementations so that their weights load unchanged.
 */
package org.torchcl.models;
