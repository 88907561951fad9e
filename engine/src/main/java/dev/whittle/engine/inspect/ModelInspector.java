package dev.whittle.engine.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.whittle.engine.Progress;
import dev.whittle.engine.inspect.ModelReport.Architecture;
import dev.whittle.engine.inspect.ModelReport.FileReport;
import dev.whittle.engine.inspect.ModelReport.LayerReport;
import dev.whittle.engine.inspect.ModelReport.TensorReport;
import dev.whittle.engine.io.Checkpoint;
import dev.whittle.engine.io.ModelFormatException;
import dev.whittle.engine.io.SafetensorsFile;
import dev.whittle.engine.io.TensorInfo;
import dev.whittle.engine.model.ModelConfig;

/**
 * Inspects a model folder without loading its weights: config.json and the validated safetensors headers give
 * the structure; one streamed pass over each mapped weight file, in chunks, computes its sha256 and counts the
 * exact zeros of every tensor. Progress is reported in bytes over all files of the folder, and cancellation
 * is honoured between chunks.
 */
public final class ModelInspector {

    public static final String STAGE = "inspect";

    /** Bytes hashed and scanned between progress reports and cancellation checks. */
    static final int CHUNK = 16 << 20;

    /** Block index of a tensor: {@code model.layers.12.mlp...} (any prefix before {@code layers.N.}). */
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");

    private ModelInspector() {
    }

    /** Inspects the model folder {@code dir}; its files (links followed) must lie inside the folder itself. */
    public static ModelReport inspect(Path dir, Progress progress) throws IOException {
        return inspect(dir, List.of(dir), progress);
    }

    /**
     * Inspects the model folder {@code dir}, whose files, every link followed, must lie inside one of
     * {@code within} (a link to a blob elsewhere in a model root is fine; one to /etc/passwd is refused).
     */
    public static ModelReport inspect(Path dir, List<Path> within, Progress progress) throws IOException {
        ModelConfig config = ModelConfig.load(dir);
        List<Path> folderFiles = confinedFiles(dir, within);
        long totalBytes = 0;
        for (Path f : folderFiles) {
            totalBytes += Files.size(f);
        }
        long[] done = {0, totalBytes, 0};
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            Map<Path, SafetensorsFile> weightFiles = new LinkedHashMap<>();
            checkpoint.files().forEach(f -> weightFiles.put(f.path().toAbsolutePath().normalize(), f));
            List<FileReport> files = new ArrayList<>();
            Map<String, TensorReport> tensorsByName = new LinkedHashMap<>();
            ZeroCounter zeros = new ZeroCounter();
            NonFiniteCounter nonFinite = new NonFiniteCounter();
            for (Path file : folderFiles) {
                progress.checkCancelled();
                SafetensorsFile weights = weightFiles.get(file.toAbsolutePath().normalize());
                if (weights == null) {
                    files.add(new FileReport(file.getFileName().toString(), Files.size(file), sha256(file, progress, done), 0));
                } else {
                    String sha = scanWeights(weights, zeros, nonFinite, tensorsByName, progress, done);
                    files.add(new FileReport(file.getFileName().toString(), Files.size(file), sha, weights.tensors().size()));
                }
            }
            // Report tensors in checkpoint order (shard by shard, file order within each).
            List<TensorReport> tensors = checkpoint.names().stream().map(tensorsByName::get).toList();
            return summarise(dir, config, files, tensors, totalBytes);
        }
    }

    /** The folder's regular files, sorted; a link whose target lies outside {@code within} is refused. */
    private static List<Path> confinedFiles(Path dir, List<Path> within) throws IOException {
        List<Path> realRoots = new ArrayList<>();
        for (Path root : within) {
            realRoots.add(root.toRealPath());
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path entry : list.sorted().toList()) {
                Path real = entry.toRealPath();
                if (realRoots.stream().noneMatch(real::startsWith)) {
                    throw new ModelFormatException(entry, null, "a link to " + real + ", outside "
                            + (within.size() == 1 ? within.getFirst() : within) + "; links may not leave it");
                }
                if (Files.isRegularFile(real)) {
                    files.add(entry);
                }
            }
        }
        return files;
    }

    private static ModelReport summarise(Path dir, ModelConfig config, List<FileReport> files,
            List<TensorReport> tensors, long fileBytes) {
        long parameters = 0;
        long bytes = 0;
        long zeroCount = 0;
        long nonFinite = 0;
        Map<String, Integer> dtypes = new TreeMap<>();
        Map<Integer, long[]> layers = new TreeMap<>();
        for (TensorReport t : tensors) {
            parameters += t.parameters();
            bytes += t.bytes();
            zeroCount += t.zeros();
            nonFinite += t.nonFinite();
            dtypes.merge(t.dtype(), 1, Integer::sum);
            if (t.layer() != null) {
                long[] acc = layers.computeIfAbsent(t.layer(), k -> new long[4]);
                acc[0]++;
                acc[1] += t.parameters();
                acc[2] += t.bytes();
                acc[3] += t.zeros();
            }
        }
        List<LayerReport> layerReports = new ArrayList<>();
        layers.forEach((index, acc) -> layerReports.add(
                new LayerReport(index, (int) acc[0], acc[1], acc[2], acc[3], fraction(acc[3], acc[1]))));
        return new ModelReport(dir.toAbsolutePath().normalize().toString(), architecture(config), parameters,
                config.parameterCount(), bytes, fileBytes, zeroCount, fraction(zeroCount, parameters), nonFinite, dtypes, files,
                layerReports, tensors);
    }

    private static Architecture architecture(ModelConfig c) {
        var moe = c.moe();
        return new Architecture(c.family().modelType(), c.architecture(), c.family().modelType(), c.torchDtype(),
                c.family().isMixtureOfExperts(), c.numHiddenLayers(), c.hiddenSize(), c.intermediateSize(),
                c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), c.vocabSize(), c.maxPositionEmbeddings(),
                c.tieWordEmbeddings(), c.ropeTheta(), c.ropeScaling() == null ? null : c.ropeScaling().type(),
                moe == null ? 0 : moe.numExperts(), moe == null ? 0 : moe.numExpertsPerToken(),
                moe == null ? 0 : moe.expertIntermediateSize(), moe == null ? 0 : moe.sharedExpertIntermediateSize());
    }

    /**
     * One pass over a mapped weight file in data order: the header and any gaps go only into the digest, each
     * tensor's bytes into the digest and the zero counter.
     */
    private static String scanWeights(SafetensorsFile weights, ZeroCounter zeros, NonFiniteCounter nonFinite,
            Map<String, TensorReport> out,
            Progress progress, long[] done) throws IOException {
        MessageDigest digest = sha256();
        String fileName = weights.path().getFileName().toString();
        try (var channel = java.nio.channels.FileChannel.open(weights.path())) {
            // The header is not part of the mapped data section: read it through the channel.
            var header = java.nio.ByteBuffer.allocate((int) weights.dataOffset());
            while (header.hasRemaining()) {
                if (channel.read(header, header.position()) < 0) {
                    throw new IOException(weights.path() + ": file shrank while being inspected");
                }
            }
            digest.update(header.flip());
        }
        advance(progress, done, weights.dataOffset(), fileName);
        MemorySegment data = weights.data();
        long position = 0;
        for (TensorInfo t : weights.tensors().values()) {
            if (t.begin() > position) {
                hash(digest, data, position, t.begin(), progress, done, fileName);
            }
            long zeroCount = 0;
            long nonFiniteCount = 0;
            for (long from = t.begin(); from < t.end(); from += CHUNK) {
                progress.checkCancelled();
                long to = Math.min(t.end(), from + CHUNK);
                MemorySegment chunk = data.asSlice(from, to - from);
                digest.update(chunk.asByteBuffer());
                zeroCount += zeros.count(chunk, t.dtype());
                nonFiniteCount += nonFinite.count(chunk, t.dtype());
                advance(progress, done, to - from, fileName);
            }
            position = Math.max(position, t.end());
            long parameters = t.numel();
            out.put(t.name(), new TensorReport(t.name(), fileName, t.dtype().name(), t.shape(), parameters, t.byteSize(),
                    zeroCount, fraction(zeroCount, parameters), nonFiniteCount, layerOf(t.name())));
        }
        hash(digest, data, position, data.byteSize(), progress, done, fileName);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void hash(MessageDigest digest, MemorySegment data, long from, long to, Progress progress,
            long[] done, String fileName) {
        for (long start = from; start < to; start += CHUNK) {
            progress.checkCancelled();
            long end = Math.min(to, start + CHUNK);
            digest.update(data.asSlice(start, end - start).asByteBuffer());
            advance(progress, done, end - start, fileName);
        }
    }

    /** sha256 of a file that is not a weight file (config, tokenizer, index: small). */
    private static String sha256(Path file, Progress progress, long[] done) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                progress.checkCancelled();
                advance(progress, done, n, file.getFileName().toString());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Adds {@code bytes} to {@code done = {bytes done, total, done at the last report}}; reports every CHUNK. */
    private static void advance(Progress progress, long[] done, long bytes, String fileName) {
        done[0] += bytes;
        if (done[0] - done[2] >= CHUNK || done[0] == done[1]) {
            done[2] = done[0];
            progress.report(STAGE, done[0], done[1], fileName);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The block index in a tensor name, or null. */
    static Integer layerOf(String tensorName) {
        Matcher m = LAYER.matcher(tensorName);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static double fraction(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }
}
