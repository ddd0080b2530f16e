package dev.invariance.onnx.reading;

import dev.invariance.cli.InvarianceCommand;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code invariance ARGS...} in a JVM of its own with a given heap ({@code -Xmx}), for the cases whose outcome
 * depends on the heap: a refusal naming the heap needed, or a run that completes, but never an
 * {@link OutOfMemoryError}.
 */
final class SmallHeapCli {
    private SmallHeapCli() {
    }

    /** Exit code and the two streams of one run. */
    record Result(int code, String out, String err) {
        /** The standard error's lines, without blank ones. */
        List<String> errLines() {
            return err.strip().isEmpty() ? List.of() : err.strip().lines().toList();
        }
    }

    /** Runs the command line with heap {@code maxHeap} (as {@code -Xmx} takes it), killed after {@code seconds}. */
    static Result run(String maxHeap, long seconds, String... args) throws IOException, InterruptedException {
        return run(maxHeap, seconds, null, args);
    }

    /**
     * As {@link #run(String, long, String...)}, with the standard output written to {@code stdout} (for outputs too
     * large to hold as a string; {@link Result#out()} is then empty).
     */
    static Result run(String maxHeap, long seconds, @Nullable Path stdout, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap, "-cp", System.getProperty("java.class.path"), InvarianceCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        Process p = builder.start();
        // both streams are small (a table or one line): read them after the end, on threads so neither blocks
        var out = p.getInputStream();
        var err = p.getErrorStream();
        var outText = new java.util.concurrent.CompletableFuture<String>();
        var errText = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> outText.complete(read(out))).start();
        new Thread(() -> errText.complete(read(err))).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("invariance " + String.join(" ", args) + " ran past " + seconds + " s at -Xmx"
                    + maxHeap);
        }
        return new Result(p.exitValue(), outText.join(), errText.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
