package dev.whittle.persistence.team;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The team the current thread acts for: set by the API for each request (from the caller's key or token) and by a
 * worker for the job it runs, so that everything made meanwhile belongs to that team and every lookup sees only
 * that team's rows and the {@link #SHARED} ones. A thread with no team (start-up, maintenance, tests of the worker
 * alone) sees everything and makes rows of the {@link #DEFAULT} team.
 */
public final class TeamScope {

    /** The team of rows made before teams existed, and of the first admin key. */
    public static final String DEFAULT = "default";
    /** Rows every team sees (reference models an admin registered for all); only this team's keys change them. */
    public static final String SHARED = "shared";

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private TeamScope() {
    }

    /** The team this thread acts for, if any. */
    public static Optional<String> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The team that owns what this thread makes now. */
    public static String owner() {
        String team = CURRENT.get();
        return team == null ? DEFAULT : team;
    }

    /** Whether this thread may see a row owned by {@code ownerTeam}. */
    public static boolean sees(String ownerTeam) {
        String team = CURRENT.get();
        return team == null || team.equals(ownerTeam) || SHARED.equals(ownerTeam);
    }

    /** Whether this thread may change (delete) a row owned by {@code ownerTeam}. */
    public static boolean owns(String ownerTeam) {
        String team = CURRENT.get();
        return team == null || team.equals(ownerTeam);
    }

    /**
     * How near a row owned by {@code ownerTeam} is to this thread, for names that several teams use: its own team's
     * row 0, a shared one 1, another team's 2 (seen only by a thread with no team, for which the {@link #DEFAULT}
     * team's is its own). A lookup by name takes the nearest row it sees.
     */
    public static int nearness(String ownerTeam) {
        if (owner().equals(ownerTeam)) {
            return 0;
        }
        return SHARED.equals(ownerTeam) ? 1 : 2;
    }

    /** Of rows that share a name, the nearest ({@link #nearness}) by their owner team {@code owner}. */
    public static <T> Optional<T> nearest(List<T> rows, Function<T, String> owner) {
        return rows.stream().min(Comparator.comparingInt(row -> nearness(owner.apply(row))));
    }

    /** The teams whose rows this thread sees, or null when it sees everything. */
    public static List<String> visibleTeams() {
        String team = CURRENT.get();
        return team == null ? null : List.of(team, SHARED);
    }

    /** The team to filter queries by, or null when this thread sees everything. */
    public static String filter() {
        return CURRENT.get();
    }

    /** Acts for {@code team} on this thread until {@link #clear()}. */
    public static void enter(String team) {
        CURRENT.set(team);
    }

    public static void clear() {
        CURRENT.remove();
    }

    /** Runs {@code work} acting for {@code team}, then restores what this thread acted for before. */
    public static <T> T call(String team, Supplier<T> work) {
        String before = CURRENT.get();
        CURRENT.set(team);
        try {
            return work.get();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }
}
