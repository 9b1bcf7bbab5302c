package org.torchcl.models;

import java.util.Arrays;
import org.torchcl.Device;
import org.torchcl.Tensor;
import org.torchcl.Torch;

/**
 * Token ids of a batch of texts padded to the longest one, row-major {@code [size, length]}, with
 * the attention mask (1 for a real token, 0 for padding). Token type ids are all 0 for single
 * sentences, so they are not stored. The arrays are the record's own: do not change them.
 */
public record WordPieceBatch(int size, int length, long[] inputIds, long[] attentionMask) {

    static WordPieceBatch padded(int[][] encoded, int length, int padId) {
        long[] ids = new long[encoded.length * length];
        long[] mask = new long[ids.length];
        Arrays.fill(ids, padId);
        for (int i = 0; i < encoded.length; i++) {
            for (int j = 0; j < encoded[i].length; j++) {
                ids[i * length + j] = encoded[i][j];
                mask[i * length + j] = 1;
            }
        }
        return new WordPieceBatch(encoded.length, length, ids, mask);
    }

    /** The number of real tokens of row {@code row}. */
    public int tokens(int row) {
        int n = 0;
        for (int j = 0; j < length; j++) {
            n += (int) attentionMask[row * length + j];
        }
        return n;
    }

    /** The real ids of row {@code row}, without padding. */
    public long[] ids(int row) {
        return Arrays.copyOfRange(inputIds, row * length, row * length + tokens(row));
    }

    /** {@code input_ids} as an INT64 tensor {@code [size, length]} on {@code device}. */
    public Tensor inputIdsTensor(Device device) {
        return Torch.tensor(device, inputIds, size, length);
    }

    /** {@code attention_mask} as an INT64 tensor {@code [size, length]} on {@code device}. */
    public Tensor attentionMaskTensor(Device device) {
        return Torch.tensor(device, attentionMask, size, length);
    }
}
