package dev.invariance.onnx.running.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Where ONNX Runtime's Java binding loads its native libraries from. Left to itself, it copies them out of its jar into
 * a folder {@code onnxruntime-java…} of {@code java.io.tmpdir} that it only marks for deletion at exit, and deletes the
 * folder before the files in it, so every run leaves an empty folder behind (and a killed run the libraries too). This
 * copies them instead into a private temporary folder (owner-only permissions) and points the binding at it
 * ({@code onnxruntime.native.path}); once loaded, libraries that ONNX Runtime does not open again later are deleted
 * at once, and a shutdown hook removes the folder on every other exit path (normal exit, SIGTERM, SIGINT). A path the
 * user set is left alone, and so is a platform whose libraries the jar does not hold.
 */
final class OrtNativeLibraries {
    /** ONNX Runtime's system property naming the folder its libraries are loaded from. */
    static final String NATIVE_PATH = "onnxruntime.native.path";

    /** The core library and its JNI binding, loaded once at start. */
    private static final List<String> CORE = List.of("onnxruntime", "onnxruntime4j_jni");
    /** Execution-provider libraries (GPU builds): ONNX Runtime opens them later, from beside the core library. */
    private static final List<String> PROVIDERS = List.of("onnxruntime_providers_shared", "onnxruntime_providers_cuda",
            "onnxruntime_providers_rocm", "onnxruntime_providers_dnnl", "onnxruntime_providers_openvino",
            "onnxruntime_providers_tensorrt");

    private OrtNativeLibraries() {
    }

    /**
     * Runs {@code init} (the first use of ONNX Runtime, which loads the libraries) with the libraries in a private
     * temporary folder, removed afterwards or, when provider libraries must stay, at exit.
     */
    static <T> T loadWhile(java.util.function.Supplier<T> init) {
        String resources = resourceFolder();
        if (System.getProperty(NATIVE_PATH) != null || resources == null
                || OrtNativeLibraries.class.getResource(resources + System.mapLibraryName(CORE.get(0))) == null) {
            return init.get();
        }
        Path folder;
        try {
            folder = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempDirectory("invariance-onnxruntime",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
                    : Files.createTempDirectory("invariance-onnxruntime");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private folder for ONNX Runtime's libraries: "
                    + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> deleteTree(folder), "remove ONNX Runtime's libraries");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean providers = false;
        try {
            for (String library : CORE) {
                copy(resources, library, folder);
            }
            for (String library : PROVIDERS) {
                providers |= copy(resources, library, folder);
            }
            System.setProperty(NATIVE_PATH, folder.toString());
            return init.get();
        } finally {
            if (!providers) {
                // loaded libraries stay mapped after their files are gone
                deleteTree(folder);
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run: the folder is gone either way
                }
            }
        }
    }

    /** Copies a library out of the jar into {@code folder}; false when the jar does not hold it. */
    private static boolean copy(String resources, String library, Path folder) {
        String name = System.mapLibraryName(library);
        try (InputStream in = OrtNativeLibraries.class.getResourceAsStream(resources + name)) {
            if (in == null) {
                return false;
            }
            Files.copy(in, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy ONNX Runtime's library " + name + ": " + e.getMessage(), e);
        }
    }

    /** The jar folder of this platform's libraries ({@code /ai/onnxruntime/native/linux-x64/}), as the binding names it. */
    private static @Nullable String resourceFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win"
                : os.contains("nux") ? "linux" : null;
        String a = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64" : arch.startsWith("aarch64")
                ? "aarch64" : null;
        return o == null || a == null ? null : "/ai/onnxruntime/native/" + o + "-" + a + "/";
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // gone already, or a library the system still holds (Windows): nothing more can be done here
        }
    }
}
