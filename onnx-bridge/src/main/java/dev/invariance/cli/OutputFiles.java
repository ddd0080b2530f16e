package dev.invariance.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        checkWritableFolder(folderOf(target), target);
        if (Files.isDirectory(target)) {
            throw new BadInputException(target + ": is a folder, expected a file name");
        }
        if (Files.exists(target) && !Files.isRegularFile(target)) {
            // the output is renamed over its target: a device such as /dev/null would be replaced by a file
            throw new BadInputException(target + ": not a regular file (a device or a pipe), expected a file name");
        }
    }

    /**
     * Creates {@code dir} when missing and checks that it can be written; messages name {@code named} (the output the
     * user gave).
     */
    static void checkWritableFolder(Path dir, Path named) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(named + ": cannot create folder (" + e.getMessage() + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw new BadInputException(named + ": folder is not writable");
        }
    }

    /**
     * Refuses two outputs that name one file, and an output that names an input: the later write would replace the
     * earlier file, or the input the run was made from.
     *
     * @param outputs the output files by option name ({@code --output}), in the order they are written
     * @param inputs  the input files by option name
     */
    static void checkDistinct(Map<String, Path> outputs, Map<String, Path> inputs) {
        List<Map.Entry<String, Path>> seen = new ArrayList<>(inputs.entrySet());
        for (Map.Entry<String, Path> output : outputs.entrySet()) {
            for (Map.Entry<String, Path> other : seen) {
                if (sameFile(output.getValue(), other.getValue())) {
                    throw new BadInputException(output.getKey() + " " + output.getValue() + ": the same file as "
                            + other.getKey() + "; give another name");
                }
            }
            seen.add(output);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
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
