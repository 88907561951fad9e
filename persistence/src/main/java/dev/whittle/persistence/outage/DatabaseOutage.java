package dev.whittle.persistence.outage;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells a failure to reach PostgreSQL (the server down, restarting, refusing connections, the pool timing out)
 * from every other error. Such a failure is nobody's fault and passes: callers wait and try again (the worker)
 * or answer 503 (the api), and never fail a job for it.
 */
public final class DatabaseOutage {

    private DatabaseOutage() {
    }

    /** Whether {@code failure}, or anything in its cause chain, says the database could not be reached. */
    public static boolean causes(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (isConnectionFailure(t)) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed != t && isConnectionFailure(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isConnectionFailure(Throwable t) {
        // "Could not open JPA EntityManager for transaction" and its JDBC sibling are CannotCreateTransactionException;
        // CannotGetJdbcConnectionException is a DataAccessResourceFailureException.
        if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
                || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                || t instanceof SQLRecoverableException || t instanceof ConnectException) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            return connectionState(sql.getSQLState());
        }
        // Hibernate's JDBCConnectionException, without a compile-time dependency on Hibernate's exception types.
        return t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException");
    }

    /**
     * SQLSTATE class 08 (connection exception) and the operator interventions of a server going away:
     * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up or shutting down).
     */
    static boolean connectionState(String state) {
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }
}
