package dev.invariance.onnx.reading;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The checked place of one externally stored tensor's bytes, as the reader found it when the model was opened: the
 * data file is inside the model's folder after resolving every link, a regular file, and
 * {@code [offset, offset + length)} lies inside it. Whoever reads those bytes (the reader itself, or a runtime that is
 * handed the tensor) reads them through {@link #open()} and nowhere else.
 *
 * @param file   the real path of the data file (inside the model's folder, no link left)
 * @param offset where the tensor's bytes start
 * @param length how many bytes it has (what its element type and shape need)
 */
public record ExternalTensor(Path file, long offset, long length) {
    /**
     * Opens the data file for reading. The path is a real path, so its last component is no link; it is opened without
     * following one, so a link put there since the check is refused rather than followed.
     *
     * @throws IOException when the file cannot be opened (also when it became a link)
     */
    public FileChannel open() throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }
}
