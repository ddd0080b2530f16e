package dev.invariance.analysis;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The analysis's worker threads: a fixed number of daemon threads that take, of the tasks ready to run, the one of
 * lowest rank (ties in the order they became ready). A task may wait for others ({@link #runAfter}); it becomes ready
 * when they are done. The full-mode analysis ranks a pair's scores before any layer not yet started, so that the
 * layers' weights and Gram matrices ({@link PairInputs}) are read and let go soon after they are kept.
 */
final class AnalysisPool implements AutoCloseable {
    /** A task's work. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private final ThreadPoolExecutor executor;
    private final AtomicLong arrivals = new AtomicLong();

    AnalysisPool(int workers) {
        AtomicInteger names = new AtomicInteger();
        executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "invariance-analysis-" + names.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs {@code work} when a thread is free and no ready task ranks lower. */
    CompletableFuture<Void> run(long rank, Work work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(new Ranked(rank, arrivals.getAndIncrement(), work, done));
        return done;
    }

    /**
     * As {@link #run}, once {@code first} and {@code second} are done; if either fails, the task does not run and
     * fails with the same cause.
     */
    CompletableFuture<Void> runAfter(long rank, Work work, CompletableFuture<?> first, CompletableFuture<?> second) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture.allOf(first, second).whenComplete((ignored, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
            } else {
                try {
                    executor.execute(new Ranked(rank, arrivals.getAndIncrement(), work, done));
                } catch (RuntimeException rejected) { // the pool was closed meanwhile
                    done.completeExceptionally(rejected);
                }
            }
        });
        return done;
    }

    /**
     * Waits for every task in turn, rethrowing the first failure met (unchecked exceptions and errors as they are).
     */
    static void awaitAll(List<CompletableFuture<Void>> tasks) {
        try {
            for (CompletableFuture<Void> f : tasks) {
                f.get();
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (CancellationException e) {
            throw new IllegalStateException("an analysis task was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while analysing layers", e);
        }
    }

    /** Stops the threads, interrupting tasks still running. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private record Ranked(long rank, long arrival, Work work, CompletableFuture<Void> done)
            implements Runnable, Comparable<Ranked> {
        @Override
        public void run() {
            try {
                work.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }

        @Override
        public int compareTo(Ranked other) {
            int byRank = Long.compare(rank, other.rank);
            return byRank != 0 ? byRank : Long.compare(arrival, other.arrival);
        }
    }
}
