package dev.invariance.onnx.reading;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One externally stored tensor's bytes, read front to back by positioned reads of its data file from the offset
 * checked when the model was opened ({@link ExternalTensor}): a reader asks for the next so many bytes and decodes
 * them before asking again, so only its buffer is allocated however large the tensor. A file that cannot be read, or
 * that ends before the range does (it changed since the check), is reported naming the tensor and the file.
 */
final class ExternalRange implements AutoCloseable {
    /** Bytes a reader takes at a time (1 MiB). */
    static final int CHUNK_BYTES = 1 << 20;

    private final String file;
    private final String tensor;
    private final ExternalTensor external;
    private final FileChannel channel;
    private long position;

    private ExternalRange(String file, String tensor, ExternalTensor external, FileChannel channel) {
        this.file = file;
        this.tensor = tensor;
        this.external = external;
        this.channel = channel;
        this.position = external.offset();
    }

    /**
     * Opens the data file at the tensor's offset.
     *
     * @param file   the model file's name for messages
     * @param tensor the tensor's name for messages
     * @throws InvalidModelException if the data file cannot be opened
     */
    static ExternalRange open(String file, String tensor, ExternalTensor external) {
        try {
            return new ExternalRange(file, tensor, external, external.open());
        } catch (IOException e) {
            throw unreadable(file, tensor, external, e);
        }
    }

    /**
     * Reads the next {@code bytes} bytes of the range into {@code buf}: cleared, filled with exactly those bytes and
     * flipped for reading.
     *
     * @throws InvalidModelException if the file cannot be read or ends early
     */
    ByteBuffer next(ByteBuffer buf, int bytes) {
        readAt(file, tensor, external, channel, position - external.offset(), buf, bytes);
        position += bytes;
        return buf;
    }

    /**
     * Reads the {@code bytes} bytes of {@code external}'s data from byte {@code from} of the tensor on into {@code buf}:
     * cleared, filled with exactly those bytes and flipped for reading. Positioned reads only, so threads may share
     * {@code channel}.
     *
     * @param file   the model file's name for messages
     * @param tensor the tensor's name for messages
     * @throws InvalidModelException if the file cannot be read or ends early
     */
    static ByteBuffer readAt(String file, String tensor, ExternalTensor external, FileChannel channel, long from,
                             ByteBuffer buf, int bytes) {
        buf.clear().limit(bytes);
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, external.offset() + from + buf.position()) < 0) {
                    throw new InvalidModelException(file + ": external data file '" + external.file().getFileName()
                            + "' of tensor '" + tensor + "' ended early (it changed while being read?)");
                }
            }
        } catch (IOException e) {
            throw unreadable(file, tensor, external, e);
        }
        buf.flip();
        return buf;
    }

    /** Closes the data file. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw unreadable(file, tensor, external, e);
        }
    }

    private static InvalidModelException unreadable(String file, String tensor, ExternalTensor external,
                                                    IOException e) {
        return new InvalidModelException(file + ": cannot read external data of tensor '" + tensor + "' from '"
                + external.file().getFileName() + "' (" + e.getClass().getSimpleName() + ")", e);
    }
}
