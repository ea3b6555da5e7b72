package dev.workloadid.keycloak.cimd.keycloak;

/**
 * Recognises a failure caused by another transaction changing or removing the same rows (an admin
 * deleting the realm or the client, or editing the client, while the refresh task wrote to it):
 * the database or Hibernate then reports an optimistic lock or stale state. Matched by exception
 * class name along the cause chain, so the pack needs no Hibernate or JPA types.
 */
final class ConcurrentChange {

    private static final int MAX_DEPTH = 20;

    private ConcurrentChange() {
    }

    static boolean causedBy(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            String name = t.getClass().getSimpleName();
            if (name.contains("OptimisticLock") || name.startsWith("StaleState") || name.startsWith("StaleObjectState")) {
                return true;
            }
        }
        return false;
    }
}
