package dev.pharos.agent.ipvs.table;

/// A backend could not read its table or apply an operation. The message says what was being
/// done, on which service or destination, what went wrong, and what to do where that is known:
/// `IPVS refused to add destination 192.0.2.5:80 to TCP 192.0.2.1:80: EEXIST (it is already there)`.
public final class BackendException extends Exception {

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
