package org.torchcl.spark;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import scala.reflect.ClassTag$;

/**
 * A Spark ML {@link Transformer} that appends a column computed by a torchcl model:
 *
 * <pre>{@code
 * TorchclTransformer digits = new TorchclTransformer(ModelBundle.of("model.safetensors", bytes),
 *         SafetensorsModel.of(MyNet::new, 1, 8, 8))
 *     .setInputCols("pixels").setOutputCol("digit").setOutputType("argmax").setBatchSize(256);
 * Dataset<Row> scored = digits.transform(images);
 * }</pre>
 *
 * <p>The bundle is broadcast once per SparkContext; each executor JVM loads the model once into its
 * {@link ModelCache} and all its tasks share it. Rows go through the model in mini-batches of
 * {@code batchSize} inside {@code mapPartitions}, batch boundaries starting anew in every
 * partition. Params: {@code inputCols} (the columns the model reads, in the order its
 * {@link InputBatch} numbers them), {@code outputCol}, {@code batchSize} (default 64),
 * {@code device} ({@code auto}, the default: the task's Spark GPU, else torchcl's default device;
 * or {@code cpu}, {@code opencl:N}) and {@code outputType} ({@code array}: {@code array<float>},
 * the default; {@code argmax}: {@code int}).
 *
 * <p>Persistence: {@code transformer.write().save(path)} and {@link #load(String)} store the params
 * as every Spark ML stage does, plus the bundle and the Java-serialized loader, so a pipeline holding
 * this stage saves and loads as a whole.
 */
public final class TorchclTransformer extends Transformer implements MLWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ModelBundle bundle;
    private final ModelLoader loader;
    private transient Broadcast<ModelBundle> broadcast;
    private transient SparkContext broadcastContext;
    private transient CollectionAccumulator<String> loads;

    // Spark's Param records its parent's uid when made, so these are made once the uid is set; Spark
    // finds a stage's params through public no-argument methods returning them (below), not fields.
    private final StringArrayParam inputCols;
    private final Param<String> outputCol;
    private final IntParam batchSize;
    private final Param<String> device;
    private final Param<String> outputType;

    public TorchclTransformer(ModelBundle bundle, ModelLoader loader) {
        this(Identifiable$.MODULE$.randomUID("torchcl"), bundle, loader);
    }

    public TorchclTransformer(String uid, ModelBundle bundle, ModelLoader loader) {
        if (uid == null || bundle == null || loader == null) {
            throw new IllegalArgumentException("uid, bundle and loader must not be null; got uid=" + uid + ", bundle="
                    + bundle + ", loader=" + loader);
        }
        this.uid = uid;
        this.bundle = bundle;
        this.loader = loader;
        inputCols = new StringArrayParam(this, "inputCols",
                "the columns the model reads, in the order its InputBatch numbers them");
        outputCol = new Param<>(this, "outputCol", "the column the model's output goes to");
        batchSize = new IntParam(this, "batchSize", "rows per model call (> 0)", ParamValidators.gt(0));
        device = new Param<>(this, "device", "auto (the task's Spark GPU, else torchcl's default device), cpu or opencl:N");
        outputType = new Param<>(this, "outputType",
                "array (array<float>: the model's output) or argmax (int: the index of its largest value)");
        setDefault(outputCol, "prediction");
        setDefault(batchSize, 64);
        setDefault(device, "auto");
        setDefault(outputType, OutputType.ARRAY.paramValue());
    }

    @Override
    public String uid() {
        return uid;
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public ModelLoader loader() {
        return loader;
    }

    public StringArrayParam inputCols() {
        return inputCols;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public Param<String> device() {
        return device;
    }

    public Param<String> outputType() {
        return outputType;
    }

    public TorchclTransformer setInputCols(String... columns) {
        set(inputCols, columns);
        return this;
    }

    public String[] getInputCols() {
        return isDefined(inputCols) ? $(inputCols) : new String[0];
    }

    public TorchclTransformer setOutputCol(String column) {
        set(outputCol, column);
        return this;
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    public TorchclTransformer setBatchSize(int rows) {
        set(batchSize, rows);
        return this;
    }

    public int getBatchSize() {
        return (Integer) $(batchSize);
    }

    /**
     * {@code auto}, {@code cpu}, {@code opencl} or {@code opencl:N}. Only the spelling is checked here:
     * the device has to exist on the executors, not on the driver.
     */
    public TorchclTransformer setDevice(String spec) {
        String normalized = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (!normalized.matches("auto|cpu|opencl(:[0-9]{1,9})?")) {
            throw new IllegalArgumentException("device '" + spec + "': expected auto, cpu, opencl or opencl:N");
        }
        set(device, normalized);
        return this;
    }

    public String getDevice() {
        return $(device);
    }

    /** {@code array} or {@code argmax}. */
    public TorchclTransformer setOutputType(String type) {
        set(outputType, OutputType.parse(type).paramValue());
        return this;
    }

    public String getOutputType() {
        return $(outputType);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String[] columns = getInputCols();
        if (columns.length == 0) {
            throw new IllegalArgumentException("inputCols is not set: name the columns the model reads");
        }
        List<String> names = Arrays.asList(schema.fieldNames());
        for (String column : columns) {
            if (!names.contains(column)) {
                throw new IllegalArgumentException("input column '" + column + "' is not in the schema " + names);
            }
            DataType type = schema.apply(column).dataType();
            if (!isSupported(type)) {
                throw new IllegalArgumentException("input column '" + column + "' is " + type.simpleString()
                        + "; expected array<float|double|int|long> or string");
            }
        }
        if (names.contains(getOutputCol())) {
            throw new IllegalArgumentException("output column '" + getOutputCol() + "' already exists in " + names);
        }
        DataType output = OutputType.parse(getOutputType()) == OutputType.ARGMAX ? DataTypes.IntegerType
                : DataTypes.createArrayType(DataTypes.FloatType, false);
        return schema.add(new StructField(getOutputCol(), output, false, org.apache.spark.sql.types.Metadata.empty()));
    }

    private static boolean isSupported(DataType type) {
        if (type instanceof ArrayType array) {
            DataType element = array.elementType();
            return element.equals(DataTypes.FloatType) || element.equals(DataTypes.DoubleType)
                    || element.equals(DataTypes.IntegerType) || element.equals(DataTypes.LongType);
        }
        return type.equals(DataTypes.StringType);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType output = transformSchema(dataset.schema());
        String[] columns = getInputCols();
        int[] fieldIndices = Arrays.stream(columns).mapToInt(dataset.schema()::fieldIndex).toArray();
        SparkContext context = dataset.sparkSession().sparkContext();
        PartitionScorer.Settings settings = new PartitionScorer.Settings(bundle.hash(), loader, getDevice(),
                getBatchSize(), fieldIndices, columns, OutputType.parse(getOutputType()));
        return dataset.toDF().mapPartitions(new PartitionScorer(settings, broadcast(context), newLoadCounter(context)),
                Encoders.row(output));
    }

    /** The bundle broadcast on {@code context}, made on the first transform there and reused after. */
    private synchronized Broadcast<ModelBundle> broadcast(SparkContext context) {
        if (broadcast == null || broadcastContext != context) {
            broadcast = context.broadcast(bundle, ClassTag$.MODULE$.apply(ModelBundle.class));
            broadcastContext = context;
        }
        return broadcast;
    }

    private synchronized CollectionAccumulator<String> newLoadCounter(SparkContext context) {
        loads = context.collectionAccumulator("torchcl model loads " + bundle.shortHash());
        return loads;
    }

    /**
     * The model loads of the last {@link #transform}'s job(s), by executor id ({@code driver} in
     * local mode): an executor that already had the model cached loads nothing. Read it after an action.
     */
    public synchronized Map<String, Integer> modelLoadsByExecutor() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (loads != null) {
            for (String executor : loads.value()) {
                counts.merge(executor, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Removes the broadcast bundle from the executors and the driver (the executors' loaded models stay cached). */
    public synchronized void destroyBroadcast() {
        if (broadcast != null) {
            broadcast.destroy();
            broadcast = null;
            broadcastContext = null;
        }
    }

    @Override
    public MLWriter write() {
        return new TransformerStore.Writer(this);
    }

    public static MLReader<TorchclTransformer> read() {
        return new TransformerStore.Reader();
    }

    /** A transformer saved with {@code write().save(path)}. */
    public static TorchclTransformer load(String path) {
        return read().load(path);
    }

    @Override
    public TorchclTransformer copy(ParamMap extra) {
        return copyValues(new TorchclTransformer(uid, bundle, loader), extra);
    }
}
