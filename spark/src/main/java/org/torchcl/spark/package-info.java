/**
 * Batch inference on Apache Spark: {@link org.torchcl.spark.TorchclTransformer} adds a column computed
 * by a torchcl model to a DataFrame. The model travels as a {@link org.torchcl.spark.ModelBundle}
 * (its files' bytes, broadcast once) plus a serializable {@link org.torchcl.spark.ModelLoader}; each
 * executor JVM loads it once into the {@link org.torchcl.spark.ModelCache} and every task there
 * shares it, scoring its partition in mini-batches whose tensors are closed batch by batch.
 */
package org.torchcl.spark;
