package dev.whittle.engine.eval.data;

import java.nio.file.Path;

/**
 * Turns a task's dataset path into a {@link DataPath}: {@code builtin:<path>} names data shipped with Whittle, any
 * other path is a file or folder relative to a base folder. A confined resolver (for tasks registered by users of
 * the service) refuses absolute paths and paths that climb out of its base folder, and, at every read, files whose
 * real location (links followed) is outside it.
 */
public final class DatasetResolver {

    public static final String BUILTIN_PREFIX = "builtin:";

    private final Path base;
    private final boolean confined;

    private DatasetResolver(Path base, boolean confined) {
        this.base = base;
        this.confined = confined;
    }

    /** Built-in data only; any file path is refused. */
    public static DatasetResolver builtinOnly() {
        return new DatasetResolver(null, true);
    }

    /** Built-in data and any file, relative paths against {@code base}. */
    public static DatasetResolver relativeTo(Path base) {
        return new DatasetResolver(base.toAbsolutePath().normalize(), false);
    }

    /** Built-in data and files inside {@code base} only. */
    public static DatasetResolver confinedTo(Path base) {
        return new DatasetResolver(base.toAbsolutePath().normalize(), true);
    }

    public DataPath resolve(String path) {
        if (path.startsWith(BUILTIN_PREFIX)) {
            String relative = path.substring(BUILTIN_PREFIX.length());
            if (relative.isEmpty() || relative.startsWith("/") || relative.contains("..")) {
                throw new DatasetException("'" + path + "': a built-in path is builtin:<folder>/<file>, without '..'");
            }
            return DataPath.builtin(relative);
        }
        if (base == null) {
            throw new DatasetException("'" + path + "': only built-in datasets (builtin:...) can be read here");
        }
        Path given = Path.of(path);
        Path resolved = base.resolve(given).normalize();
        if (confined && (given.isAbsolute() || !resolved.startsWith(base))) {
            throw new DatasetException("'" + path + "': dataset paths must stay inside " + base);
        }
        return confined ? DataPath.confined(resolved, base) : DataPath.of(resolved);
    }
}
