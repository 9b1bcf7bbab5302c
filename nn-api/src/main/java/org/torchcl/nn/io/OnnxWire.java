package org.torchcl.nn.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over one protobuf message, the wire format read by hand so that reading a model adds no
 * runtime dependency. Every varint, length and fixed-width value is checked against the bytes of
 * the enclosing message before it is used, so a truncated or hostile file ends in an
 * {@link OnnxFormatException} naming the absolute offset, never in an out-of-bounds read or an
 * allocation larger than the bytes it describes.
 */
final class OnnxWire {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    /** The whole file, little-endian; {@link #position} and {@link #end} index into it. */
    private final ByteBuffer file;
    private int position;
    private final int end;
    private final String message;
    private int fieldNumber;
    private int wireType;

    private OnnxWire(ByteBuffer file, int start, int end, String message) {
        this.file = file;
        this.position = start;
        this.end = end;
        this.message = message;
    }

    /** A cursor over all of {@code file}, read as the message called {@code message}. */
    static OnnxWire over(ByteBuffer file, String message) {
        ByteBuffer whole = file.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new OnnxWire(whole, 0, whole.limit(), message);
    }

    /** Moves to the next field's tag; false at the end of the message. */
    boolean next() throws OnnxFormatException {
        if (position == end) {
            return false;
        }
        int at = position;
        long tag = varint();
        fieldNumber = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (tag >>> 3 == 0 || tag >>> 3 > 0x1FFF_FFFF) {
            throw error(at, "field number " + (tag >>> 3) + " is outside 1.." + 0x1FFF_FFFF);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw error(at, "field " + fieldNumber + " has wire type " + wireType
                    + "; ONNX uses 0 (varint), 1 (64-bit), 2 (length-delimited) and 5 (32-bit) only");
        }
        return true;
    }

    int field() {
        return fieldNumber;
    }

    int wireType() {
        return wireType;
    }

    /** The absolute offset of the cursor, for messages. */
    int position() {
        return position;
    }

    /** Skips the current field's value, whatever its wire type. */
    void skip() throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> advance(8);
            case FIXED32 -> advance(4);
            default -> advance(length());
        }
    }

    /** The current field as a varint (wire type 0). */
    long int64(String what) throws OnnxFormatException {
        expect(VARINT, what);
        return varint();
    }

    /** The current varint field as an int; values outside the int range are refused. */
    int int32(String what) throws OnnxFormatException {
        int at = position;
        long value = int64(what);
        if (value != (int) value) {
            throw error(at, what + " is " + value + ", outside the 32-bit range");
        }
        return (int) value;
    }

    /** The current field as a 32-bit float (wire type 5). */
    float float32(String what) throws OnnxFormatException {
        expect(FIXED32, what);
        advance(4);
        float value = file.getFloat(position - 4);
        return value;
    }

    /** The current field as a raw 64-bit value (wire type 1). */
    long fixed64(String what) throws OnnxFormatException {
        expect(FIXED64, what);
        advance(8);
        long value = file.getLong(position - 8);
        return value;
    }

    /** The current length-delimited field as UTF-8 text. */
    String string(String what) throws OnnxFormatException {
        int at = position;
        ByteBuffer bytes = bytes(what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw error(at, what + " is not valid UTF-8");
        }
    }

    /** The current length-delimited field's bytes, a little-endian view of the file (no copy). */
    ByteBuffer bytes(String what) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, what);
        int length = length();
        ByteBuffer view = file.duplicate().position(position).limit(position + length).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        position += length;
        return view;
    }

    /** The current length-delimited field as an embedded message called {@code what}. */
    OnnxWire message(String what) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, what);
        int length = length();
        OnnxWire inner = new OnnxWire(file, position, position + length, message + "." + what);
        position += length;
        return inner;
    }

    /** Whether the current field is length-delimited: a packed repeated field rather than one element. */
    boolean isPacked() {
        return wireType == LENGTH_DELIMITED;
    }

    /** Whether a packed cursor has more elements. */
    boolean hasMore() {
        return position < end;
    }

    /** The next element of a packed varint field. */
    long nextVarint() throws OnnxFormatException {
        return varint();
    }

    /** The next element of a packed 32- or 64-bit field. */
    ByteBuffer nextFixed(int width) throws OnnxFormatException {
        ByteBuffer view = file.duplicate().position(position).limit(Math.min(end, position + width)).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        advance(width);
        return view;
    }

    /** The bytes left in this (packed) cursor. */
    int remaining() {
        return end - position;
    }

    OnnxFormatException error(String what) {
        return error(position, what);
    }

    OnnxFormatException error(int at, String what) {
        return new OnnxFormatException(message + " at byte " + at + ": " + what);
    }

    private void expect(int type, String what) throws OnnxFormatException {
        if (wireType != type) {
            throw error(what + " (field " + fieldNumber + ") has wire type " + wireType + ", expected " + type);
        }
    }

    private int length() throws OnnxFormatException {
        int at = position;
        long length = varint();
        if (length < 0 || length > end - position) {
            throw error(at, "length " + Long.toUnsignedString(length) + " runs past the end of " + message + " ("
                    + (end - position) + " bytes left)");
        }
        return (int) length;
    }

    private void advance(int bytes) throws OnnxFormatException {
        if (bytes > end - position) {
            throw error("a " + bytes + "-byte value runs past the end of " + message + " (" + (end - position)
                    + " bytes left)");
        }
        position += bytes;
    }

    private long varint() throws OnnxFormatException {
        int at = position;
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= end) {
                throw error(at, "a varint runs past the end of " + message);
            }
            byte b = file.get(position++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                if (shift == 63 && b > 1) {
                    throw error(at, "a varint overflows 64 bits");
                }
                return value;
            }
        }
        throw error(at, "a varint is longer than 10 bytes");
    }
}
