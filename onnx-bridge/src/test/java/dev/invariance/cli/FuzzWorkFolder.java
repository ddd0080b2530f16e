package dev.invariance.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The folder the command-line fuzz test runs in, made once: a temporary root holding {@code work/} with a tiny
 * training set ({@value #CSV}: {@value #FEATURES} features, {@value #EXAMPLES} rows, two classes), the model the
 * command line trains on it for {@value #STEPS} steps ({@value #ONNX}, {@value #TRIBUO}, {@value #PROVENANCE}) and
 * then runs on it with ONNX Runtime (once, so that loading ONNX Runtime counts against no input), an empty file and
 * an empty folder. {@link #reset()} puts it back as it was before every input, since an input may
 * overwrite or delete any of it; {@link #outside()} is what the test compares to see that nothing was written
 * elsewhere.
 */
final class FuzzWorkFolder {
    static final String CSV = "data.csv";
    static final String ONNX = "model.onnx";
    static final String TRIBUO = "model.tribuo";
    static final String PROVENANCE = "provenance.json";
    static final int FEATURES = 3;
    static final int EXAMPLES = 20;
    static final int STEPS = 20;
    /** What the names of this project's temporary folders in {@code java.io.tmpdir} start with. */
    private static final String TEMPORARY_PREFIX = "invariance";
    /** How long another process's temporary folder may live (ONNX Runtime's libraries load from it in under this). */
    private static final long OTHER_PROCESSES_MILLIS = 3_000;

    private final Path root;
    private final Path work;
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    private FuzzWorkFolder(Path root) {
        this.root = root;
        this.work = root.resolve("work");
    }

    /** Makes the folder and its model (the model by {@code invariance train}, which must succeed). */
    static FuzzWorkFolder create() {
        try {
            FuzzWorkFolder f = new FuzzWorkFolder(Files.createTempDirectory("cli-fuzz").toRealPath());
            Files.createDirectories(f.work);
            CliRun.hyperplaneCsv(f.work.resolve(CSV), 19, new double[] {1.0, -2.0, 0.5}, EXAMPLES);
            CliRun.Result r = CliRun.invariance("train", "--data", f.work.resolve(CSV).toString(), "--label", "label",
                    "--hidden", "4", "--steps", String.valueOf(STEPS), "--output", f.work.resolve(ONNX).toString(),
                    "--tribuo-model", f.work.resolve(TRIBUO).toString(),
                    "--provenance", f.work.resolve(PROVENANCE).toString());
            if (r.code() != 0) {
                throw new IllegalStateException("the fuzz test's model could not be trained: " + r.err());
            }
            // the model run on its data: the first ONNX Runtime session of a JVM loads the native libraries (seconds
            // on a busy machine), a cost that belongs to no input
            r = CliRun.invariance("analyze", f.work.resolve(ONNX).toString(), "--data", f.work.resolve(CSV).toString(),
                    "--label", "label");
            if (r.code() != 0) {
                throw new IllegalStateException("the fuzz test's model does not run on its data: " + r.err());
            }
            for (String name : new String[] {CSV, ONNX, TRIBUO, PROVENANCE}) {
                f.files.put(name, Files.readAllBytes(f.work.resolve(name)));
            }
            f.files.put("empty.csv", new byte[0]);
            Runtime.getRuntime().addShutdownHook(new Thread(f::delete));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The root: what a run may write in. */
    Path root() {
        return root;
    }

    /** The folder {@code $DIR} stands for. */
    Path work() {
        return work;
    }

    /** Empties the root and writes the work folder's files and its empty {@code folder/} again. */
    void reset() {
        try {
            deleteContents(root);
            Files.createDirectories(work.resolve("folder"));
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Files.write(work.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What lies where a run could write by mistake: the names in the working folder (a relative path resolves there)
     * and the names in {@code java.io.tmpdir} that begin with {@value #TEMPORARY_PREFIX}, like this project's
     * temporary folders. (ONNX Runtime's own {@code onnxruntime-java…} folders are not counted: its first session in a
     * JVM makes an empty one that it deletes only at the JVM's exit, and other test runs on the machine leave theirs
     * for as long as their JVM lives.)
     */
    static Set<String> outside() {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("").toAbsolutePath())) {
            entries.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(TEMPORARY_PREFIX))
                    .forEach(n -> names.add("tmp/" + n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * The names of {@link #outside()} that were not in {@code before}. Other processes on the machine (other test
     * runs) make and remove their own temporary folders meanwhile: a new one counts only if it is still there a
     * moment later, as one this process left would be.
     */
    static Set<String> writtenSince(Set<String> before) {
        Set<String> added = new TreeSet<>(outside());
        added.removeAll(before);
        if (added.stream().anyMatch(n -> n.startsWith("tmp/"))) {
            try {
                Thread.sleep(OTHER_PROCESSES_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            added.retainAll(outside());
        }
        return added;
    }

    /** The files under the root whose name ends in {@code .tmp} (half-written outputs left behind). */
    Set<Path> leftovers() {
        try (Stream<Path> all = Files.walk(root)) {
            return new TreeSet<>(all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void delete() {
        try {
            deleteContents(root);
            Files.deleteIfExists(root);
        } catch (IOException | UncheckedIOException e) {
            // a shutdown hook: nothing more to do than leave the temporary folder
        }
    }

    /** Deletes everything under {@code dir}, not following links (a link is deleted, not what it points at). */
    private static void deleteContents(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                if (!d.equals(dir)) {
                    Files.delete(d);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
