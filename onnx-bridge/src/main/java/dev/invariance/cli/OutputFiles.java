package dev.invariance.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes outputs through a temporary file in the same folder, so a failed run never leaves a half-written file. */
final class OutputFiles {
    private OutputFiles() {
    }

    @FunctionalInterface
    interface Writer {
        void writeTo(Path file) throws IOException;
    }

    static void writeAtomically(Path target, Writer writer) {
        Path absolute = target.toAbsolutePath();
        Path dir = folderOf(target);
        try {
            Files.createDirectories(dir);
            // Files.createFile uses the default permissions (0666 less the umask); createTempFile would force 0600
            Path tmp = Files.createFile(dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(
                    java.util.concurrent.ThreadLocalRandom.current().nextLong()) + ".tmp"));
            try {
                writer.writeTo(tmp);
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** Checks before any long work that the folder of {@code target} can be created and written. */
    static void checkWritable(Path target) {
        Path dir = folderOf(target);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw new BadInputException(target + ": folder is not writable");
        }
        if (Files.isDirectory(target)) {
            throw new BadInputException(target + ": is a folder, expected a file name");
        }
    }

    /** The folder a file named {@code target} goes in; a root (which has none) names a folder, not a file. */
    private static Path folderOf(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            throw new BadInputException(target + ": is a folder, expected a file name");
        }
        return dir;
    }
}
