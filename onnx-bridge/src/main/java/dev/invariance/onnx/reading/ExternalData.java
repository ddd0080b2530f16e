package dev.invariance.onnx.reading;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where every externally stored tensor of one model keeps its bytes: located and checked once, when the model is
 * opened, for every tensor the model stores ({@link StoredTensors}: weights and every other initializer, constants
 * in node attributes, control-flow bodies, functions), whether or not the analysis will ever read it. The checks:
 * <ul>
 *   <li>the location is given, relative, without a {@code ..} segment or a NUL character; resolved against the
 *       model's folder and then through every symbolic link, it is still inside that folder (its real path), and it is
 *       a regular file;</li>
 *   <li>offset and length are decimal numbers, not negative; a declared length equals the bytes the element type and
 *       shape need; and {@code [offset, offset + bytes)} lies inside the file.</li>
 * </ul>
 * Every reader of external bytes takes its {@link ExternalTensor} from here and opens it with
 * {@link ExternalTensor#open()}: {@link TensorPayload} (the weights and constants of the analysis) and, through
 * {@link OnnxModel#rewriteExternalTensors}, whatever hands the model to a runtime (so a runtime itself never resolves a
 * location). A refusal is an {@link InvalidModelException} with one
 * line naming the model file, the tensor and the cause.
 */
final class ExternalData {
    private final String source;
    /** Keyed by identity: the tensors of the opened model's own messages. Read-only after construction. */
    private final Map<TensorProto, ExternalTensor> locations;

    private ExternalData(String source, Map<TensorProto, ExternalTensor> locations) {
        this.source = source;
        this.locations = locations;
    }

    /**
     * Locates and checks the external data of every tensor of {@code model}.
     *
     * @param source the model file, for messages
     * @param folder the real path of the model's folder, or null when the model was not read from a file (then any
     *               external tensor is refused)
     * @throws InvalidModelException for the first tensor whose external data fails a check
     */
    static ExternalData locate(String source, @Nullable Path folder, ModelProto model) {
        Map<TensorProto, ExternalTensor> found = new IdentityHashMap<>();
        StoredTensors.map(model, t -> {
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL && !found.containsKey(t)) {
                found.put(t, check(source, folder, t));
            }
            return t;
        });
        return new ExternalData(source, found);
    }

    /** Whether the model stores no tensor externally. */
    boolean isEmpty() {
        return locations.isEmpty();
    }

    /**
     * The checked location of {@code tensor}, one of the opened model's own tensors stored externally.
     *
     * @throws IllegalStateException for a tensor that is not one of those (a bug: every one is located at open)
     */
    ExternalTensor of(TensorProto tensor) {
        ExternalTensor l = locations.get(tensor);
        if (l == null) {
            throw new IllegalStateException(source + ": tensor '" + tensor.getName()
                    + "' was not located when the model was opened");
        }
        return l;
    }

    private static ExternalTensor check(String source, @Nullable Path folder, TensorProto t) {
        String name = t.getName();
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            String key = e.getKey();
            if (!key.equals("location") && !key.equals("offset") && !key.equals("length")) {
                continue; // "checksum" and keys of later versions do not say where the bytes are
            }
            if (key.equals("location")) {
                location = e.getValue();
                continue;
            }
            long value;
            try {
                value = Long.parseLong(e.getValue());
            } catch (NumberFormatException ex) {
                throw new InvalidModelException(source + ": tensor '" + name + "' has external data " + key
                        + " '" + e.getValue() + "' that is not a number");
            }
            if (value < 0) {
                throw new InvalidModelException(source + ": tensor '" + name
                        + "' has a negative external data offset or length");
            }
            if (key.equals("offset")) {
                offset = value;
            } else {
                length = value;
            }
        }
        if (location == null || location.isEmpty()) {
            throw new InvalidModelException(source + ": tensor '" + name + "' is stored externally but names no location");
        }
        if (folder == null) {
            throw new InvalidModelException(source + ": tensor '" + name + "' is stored externally in '" + location
                    + "' but the model was not read from a folder");
        }
        long[] shape = TensorPayload.declaredShape(source, t);
        long count = TensorPayload.valueCount(shape);
        long expected = storedBytes(t.getDataType(), count);
        if (expected < 0) {
            throw new InvalidModelException(source + ": tensor '" + name + "' of element type "
                    + TensorPayload.typeName(t.getDataType()) + " cannot be stored as external data");
        }
        Path resolved = resolveInside(source, name, folder, location);
        long fileSize;
        try {
            fileSize = Files.size(resolved);
        } catch (IOException e) {
            throw new InvalidModelException(source + ": cannot read external data file '" + location + "' of tensor '"
                    + name + "' (" + e.getClass().getSimpleName() + ")", e);
        }
        if (length >= 0 && length != expected) {
            throw TensorPayload.mismatch(source, name, shape, count, "in '" + location + "' is " + length
                    + " bytes long, expected " + expected);
        }
        if (offset > fileSize || expected > fileSize - offset) {
            throw new InvalidModelException(source + ": tensor '" + name + "' reads bytes " + offset + " to "
                    + (expected == Long.MAX_VALUE ? "beyond 2^63" : Long.toString(offset + expected))
                    + " of external data file '" + location + "', past its end (" + fileSize + " bytes)");
        }
        return new ExternalTensor(resolved, offset, expected);
    }

    /**
     * The bytes {@code count} values of ONNX element type {@code type} take as stored (4-bit types packed two per
     * byte), {@link Long#MAX_VALUE} when that overflows, or -1 for types without a fixed size (strings) or unknown
     * codes.
     */
    static long storedBytes(int type, long count) {
        int bits = switch (type) {
            case 2, 3, 9, 17, 18, 19, 20 -> 8;     // uint8, int8, bool, the four float8 types
            case 4, 5, 10, 16 -> 16;               // uint16, int16, float16, bfloat16
            case 1, 6, 12 -> 32;                   // float, int32, uint32
            case 7, 11, 13, 14 -> 64;              // int64, double, uint64, complex64
            case 15 -> 128;                        // complex128
            case 21, 22, 23 -> 4;                  // uint4, int4, float4e2m1
            default -> -1;                         // undefined, string, codes of later versions
        };
        if (bits < 0) {
            return -1;
        }
        if (count > Long.MAX_VALUE / bits) {
            return Long.MAX_VALUE;
        }
        return (count * bits + 7) / 8;
    }

    /**
     * Resolves an external data location against the model's folder and refuses anything that leaves it: absolute
     * paths, {@code ..} segments and symbolic links that point outside; the result is the real path of a regular file.
     */
    static Path resolveInside(String source, String tensor, Path folder, String location) {
        if (location.indexOf('\0') >= 0) {
            throw new InvalidModelException(source + ": tensor '" + tensor
                    + "' has an external data location with a NUL character");
        }
        Path rel;
        try {
            rel = folder.getFileSystem().getPath(location);
        } catch (RuntimeException e) {
            throw new InvalidModelException(source + ": tensor '" + tensor + "' has an invalid external data location '"
                    + location + "'", e);
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new InvalidModelException(source + ": external data location '" + location + "' of tensor '" + tensor
                    + "' is absolute; it must be relative to the model's folder");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new InvalidModelException(source + ": external data location '" + location + "' of tensor '"
                        + tensor + "' escapes the model's folder ('..')");
            }
        }
        Path target = folder.resolve(rel).normalize();
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidModelException(source + ": external data file '" + location + "' of tensor '" + tensor
                    + "' is missing");
        }
        Path real;
        try {
            real = target.toRealPath();
        } catch (IOException e) {
            throw new InvalidModelException(source + ": external data file '" + location + "' of tensor '" + tensor
                    + "' cannot be resolved (a dangling link?)", e);
        }
        if (!real.startsWith(folder)) {
            throw new InvalidModelException(source + ": external data location '" + location + "' of tensor '" + tensor
                    + "' leads outside the model's folder (through a symbolic link)");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidModelException(source + ": external data location '" + location + "' of tensor '" + tensor
                    + "' is not a regular file");
        }
        return real;
    }
}
