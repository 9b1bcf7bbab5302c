package org.torchcl.nn.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * One {@code TensorProto} of an ONNX file (an initializer, or a Constant node's value): name,
 * element type, shape and data. The data stays a view of the file when it is stored as
 * {@code raw_data} or packed {@code float_data}/{@code double_data} (exporters write those); the
 * typed varint fields ({@code int32_data}, {@code int64_data}) and unpacked elements are decoded
 * into a buffer of the raw layout, at most 8 bytes per byte they occupy in the file.
 */
public final class OnnxTensor {

    /** More dims than any real tensor has; bounds the work per tensor. */
    static final int MAX_RANK = 32;

    private final String name;
    private final OnnxDataType dataType;
    private final int[] shape;
    /** The elements, little-endian, {@code dataType.bytes} each: exactly numel of them. */
    private final ByteBuffer data;

    private OnnxTensor(String name, OnnxDataType dataType, int[] shape, ByteBuffer data) {
        this.name = name;
        this.dataType = dataType;
        this.shape = shape;
        this.data = data;
    }

    public String name() {
        return name;
    }

    public OnnxDataType dataType() {
        return dataType;
    }

    /** A copy of the dims. */
    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The elements as stored, little-endian, {@code dataType().bytes} each (a read-only view of the
     * file where the data was stored raw).
     */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Reads a serialized {@code TensorProto} on its own, as ONNX's test data stores inputs and
     * expected outputs ({@code input_0.pb}); the tensor keeps a view of {@code bytes}.
     */
    public static OnnxTensor read(ByteBuffer bytes) throws OnnxFormatException {
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        return parse(OnnxWire.over(bytes, "TensorProto"));
    }

    /**
     * The values as a new tensor on {@code device}, in {@link OnnxDataType#loadsAs()}'s dtype.
     *
     * @throws OnnxFormatException when torchcl has no dtype for this element type
     */
    public Tensor toTensor(Device device) throws OnnxFormatException {
        if (dataType.loadsAs() == null) {
            throw new OnnxFormatException("tensor \"" + name + "\" is " + dataType
                    + "; torchcl loads FLOAT, FLOAT16, BFLOAT16, INT64, INT32, BOOL and DOUBLE (as float32)");
        }
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("ONNX loading needs a little-endian host; this one is "
                    + ByteOrder.nativeOrder());
        }
        ByteBuffer bytes = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (dataType == OnnxDataType.DOUBLE) {
            float[] floats = new float[bytes.remaining() / Double.BYTES];
            for (int i = 0; i < floats.length; i++) {
                floats[i] = (float) bytes.getDouble(i * Double.BYTES);
            }
            return Torch.tensor(device, FloatBuffer.wrap(floats), shape);
        }
        return Torch.fromBytes(device, dataType.loadsAs(), bytes, shape);
    }

    @Override
    public String toString() {
        return "OnnxTensor(" + name + ", " + dataType + ", " + Arrays.toString(shape) + ")";
    }

    // ---------------------------------------------------------------- parsing

    /** Parses a {@code TensorProto} and checks that its data holds exactly the elements its dims describe. */
    static OnnxTensor parse(OnnxWire proto) throws OnnxFormatException {
        int start = proto.position();
        String name = "";
        long typeCode = 0;
        long[] dims = new long[MAX_RANK];
        int rank = 0;
        ByteBuffer raw = null;
        Elements typed = null;
        while (proto.next()) {
            switch (proto.field()) {
                case 1 -> {
                    if (proto.isPacked()) {
                        OnnxWire packed = proto.message("dims");
                        while (packed.hasMore()) {
                            rank = addDim(proto, dims, rank, packed.nextVarint());
                        }
                    } else {
                        rank = addDim(proto, dims, rank, proto.int64("dims"));
                    }
                }
                case 2 -> typeCode = proto.int64("data_type");
                case 3 -> throw proto.error("tensor \"" + name + "\" is split into segments, which torchcl does not read");
                case 4, 5, 7, 10 -> {
                    typed = typed == null ? new Elements(proto.field()) : typed;
                    if (typed.field != proto.field()) {
                        throw proto.error("tensor \"" + name + "\" stores data in two typed fields (" + typed.field
                                + " and " + proto.field() + ")");
                    }
                    typed.read(proto);
                }
                case 8 -> name = proto.string("name");
                case 9 -> {
                    if (raw != null) {
                        throw proto.error("tensor \"" + name + "\" has raw_data twice");
                    }
                    raw = proto.bytes("raw_data");
                }
                case 13 -> throw proto.error("tensor \"" + name + "\" keeps its data in an external file, which"
                        + " torchcl does not read (save the model with the weights inside)");
                case 14 -> {
                    if (proto.int64("data_location") != 0) {
                        throw proto.error("tensor \"" + name + "\" keeps its data in an external file, which"
                                + " torchcl does not read (save the model with the weights inside)");
                    }
                }
                default -> proto.skip();
            }
        }
        OnnxDataType type = OnnxDataType.of(typeCode);
        if (type == null || type == OnnxDataType.STRING) {
            throw proto.error(start, "tensor \"" + name + "\" has data_type " + typeCode
                    + (type == null ? ", which ONNX does not define" : " (STRING), which torchcl does not read"));
        }
        int[] shape = new int[rank];
        long numel = 1;
        for (int i = 0; i < rank; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw proto.error(start, "tensor \"" + name + "\" has dim " + i + " = " + dims[i]
                        + "; dims must be 0.." + Integer.MAX_VALUE);
            }
            shape[i] = (int) dims[i];
            numel = numel == 0 || dims[i] <= Long.MAX_VALUE / 16 / Math.max(1, numel) ? numel * dims[i] : -1;
            if (numel < 0) {
                throw proto.error(start, "tensor \"" + name + "\": dims " + Arrays.toString(shape)
                        + " overflow 64-bit byte counts");
            }
        }
        if (raw != null && typed != null) {
            throw proto.error(start, "tensor \"" + name + "\" has both raw_data and typed data");
        }
        ByteBuffer data = raw != null ? raw : typed != null ? typed.as(type, name, proto) : ByteBuffer.allocate(0);
        long expected = numel * type.bytes;
        if (data.remaining() != expected) {
            throw proto.error(start, "tensor \"" + name + "\": dims " + Arrays.toString(shape) + " of " + type + " need "
                    + expected + " bytes of data but it holds " + data.remaining());
        }
        return new OnnxTensor(name, type, shape, data);
    }

    private static int addDim(OnnxWire proto, long[] dims, int rank, long dim) throws OnnxFormatException {
        if (rank == MAX_RANK) {
            throw proto.error("a tensor has more than " + MAX_RANK + " dims");
        }
        dims[rank] = dim;
        return rank + 1;
    }

    /**
     * The elements of one typed field ({@code float_data} 4, {@code int32_data} 5, {@code int64_data} 7,
     * {@code double_data} 10), packed or not, gathered in the order they come. Grows by doubling, so
     * it never holds more than twice the decoded size, itself at most 8 bytes per file byte.
     */
    private static final class Elements {
        final int field;
        /** Packed float or double data used as-is, when it comes in one piece. */
        private ByteBuffer view;
        private long[] values = new long[16];
        private int count;

        Elements(int field) {
            this.field = field;
        }

        void read(OnnxWire proto) throws OnnxFormatException {
            boolean fixed = field == 4 || field == 10;
            int width = field == 4 ? 4 : 8;
            if (proto.isPacked()) {
                OnnxWire packed = proto.message("typed data");
                if (fixed && view == null && count == 0) {
                    if (packed.remaining() % width != 0) {
                        throw proto.error("packed data of " + packed.remaining() + " bytes is not a whole number of "
                                + width + "-byte values");
                    }
                    view = packed.nextFixed(packed.remaining());
                    return;
                }
                unview();
                while (packed.hasMore()) {
                    add(fixed ? fixedBits(packed.nextFixed(width), width) : packed.nextVarint());
                }
            } else {
                unview();
                int expectedWire = fixed ? (width == 4 ? OnnxWire.FIXED32 : OnnxWire.FIXED64) : OnnxWire.VARINT;
                if (proto.wireType() != expectedWire) {
                    throw proto.error("typed data (field " + field + ") has wire type " + proto.wireType());
                }
                if (fixed) {
                    add(width == 4 ? Float.floatToRawIntBits(proto.float32("float_data")) & 0xFFFF_FFFFL
                            : proto.fixed64("double_data"));
                } else {
                    add(proto.int64("typed data"));
                }
            }
        }

        private static long fixedBits(ByteBuffer value, int width) {
            return width == 4 ? value.getInt(0) & 0xFFFF_FFFFL : value.getLong(0);
        }

        /** Moves a packed view into the element list, when more elements follow it. */
        private void unview() {
            if (view != null) {
                ByteBuffer v = view;
                view = null;
                int width = field == 4 ? 4 : 8;
                for (int i = 0; i < v.remaining(); i += width) {
                    add(width == 4 ? v.getInt(i) & 0xFFFF_FFFFL : v.getLong(i));
                }
            }
        }

        private void add(long value) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = value;
        }

        /** The elements in {@code type}'s raw layout; the field must be the one ONNX stores that type in. */
        ByteBuffer as(OnnxDataType type, String name, OnnxWire proto) throws OnnxFormatException {
            int expectedField = switch (type) {
                case FLOAT, COMPLEX64 -> 4;
                case INT64 -> 7;
                case DOUBLE, COMPLEX128 -> 10;
                case UINT32, UINT64 -> 11;
                default -> 5;
            };
            if (field != expectedField) {
                throw proto.error("tensor \"" + name + "\" of " + type + " stores its data in field " + field
                        + "; ONNX keeps " + type + " in field " + expectedField);
            }
            if (view != null) {
                return view;
            }
            if ((long) count * type.bytes > Integer.MAX_VALUE) {
                throw proto.error("tensor \"" + name + "\" has " + count + " elements; torchcl reads at most "
                        + Integer.MAX_VALUE + " bytes per tensor");
            }
            ByteBuffer out = ByteBuffer.allocate(count * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                long v = values[i];
                switch (type.bytes) {
                    case 1 -> out.put((byte) v);
                    case 2 -> out.putShort((short) v);
                    case 4 -> out.putInt((int) v);
                    default -> out.putLong(v);
                }
            }
            return out.flip();
        }
    }
}
