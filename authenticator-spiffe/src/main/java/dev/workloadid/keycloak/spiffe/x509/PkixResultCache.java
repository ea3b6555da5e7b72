package dev.workloadid.keycloak.spiffe.x509;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers which certificate paths passed RFC 5280 path validation against which snapshot of a trust
 * domain's X.509 authorities, so a workload presenting the same X.509-SVID on every request is not put
 * through PKIX (signature checks up the chain) each time.
 * <p>
 * What makes a hit as good as a fresh validation:
 * <ul>
 *   <li>the key is a SHA-256 over the exact DER encodings of the path, in order, each length-prefixed,
 *       so any other certificate, order or length misses;</li>
 *   <li>the key names the authorities collection itself, compared by identity (held weakly): each
 *       bundle snapshot has its own, so a replaced bundle (rotation, refresh, removed authority)
 *       misses, and the old entries can never match again and age out of the bound;</li>
 *   <li>an entry answers only while the clock is inside every path certificate's validity and the
 *       anchor's (from the latest notBefore up to, not including, the earliest notAfter), so it
 *       never outlives the leaf;</li>
 *   <li>only successes are remembered: a refused chain is validated (and refused) every time.</li>
 * </ul>
 * Revocation is off in the validation it stands for (SVIDs are short-lived), so nothing else can
 * change the outcome. At most {@code maxEntries} entries, least recently used dropped first; each
 * holds a digest, a weak reference and two instants, never the certificates. Thread-safe.
 */
public final class PkixResultCache {

    /** Default bound: enough for thousands of workloads per node, well under a megabyte. */
    public static final int DEFAULT_MAX_ENTRIES = 4096;

    private final int maxEntries;
    private final LinkedHashMap<Key, Window> entries;

    public PkixResultCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Window> eldest) {
                return size() > PkixResultCache.this.maxEntries;
            }
        };
    }

    /**
     * Identifies one path validated against one snapshot of authorities. The snapshot is held weakly:
     * a replaced bundle is not kept alive by entries that can never match again.
     */
    public static final class Key {
        private final ByteBuffer digest;
        private final WeakReference<Object> authorities;
        private final int authoritiesHash;

        private Key(byte[] digest, Object authorities) {
            this.digest = ByteBuffer.wrap(digest);
            this.authorities = new WeakReference<>(authorities);
            this.authoritiesHash = System.identityHashCode(authorities);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.authoritiesHash != authoritiesHash || !k.digest.equals(digest)) {
                return false;
            }
            Object mine = authorities.get();
            return mine != null && mine == k.authorities.get();
        }

        @Override
        public int hashCode() {
            return digest.hashCode() * 31 + authoritiesHash;
        }
    }

    private record Window(Instant from, Instant until) {
        boolean covers(Instant now) {
            return !now.isBefore(from) && now.isBefore(until);
        }
    }

    /**
     * The key of {@code path} (leaf first, anchors stripped) against {@code authorities}, the
     * collection object of one bundle snapshot; null when a certificate cannot be encoded (then
     * nothing is cached and the path is validated as usual).
     */
    public Key key(List<X509Certificate> path, Object authorities) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            for (X509Certificate cert : path) {
                byte[] der = cert.getEncoded();
                sha256.update(ByteBuffer.allocate(4).putInt(der.length).array());
                sha256.update(der);
            }
            return new Key(sha256.digest(), authorities);
        } catch (CertificateEncodingException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /** Whether the path of {@code key} validated earlier and every certificate involved is still valid at {@code now}. */
    public boolean validated(Key key, Instant now) {
        if (key == null) {
            return false;
        }
        synchronized (entries) {
            Window window = entries.get(key);
            if (window == null) {
                return false;
            }
            if (!window.covers(now)) {
                entries.remove(key);
                return false;
            }
            return true;
        }
    }

    /**
     * Remembers that {@code path} validated at {@code now} up to {@code anchor}: call only after a
     * successful validation.
     */
    public void remember(Key key, List<X509Certificate> path, X509Certificate anchor, Instant now) {
        if (key == null) {
            return;
        }
        Instant from = Instant.MIN;
        Instant until = Instant.MAX;
        for (X509Certificate cert : path) {
            from = later(from, cert.getNotBefore().toInstant());
            until = earlier(until, cert.getNotAfter().toInstant());
        }
        if (anchor != null) {
            from = later(from, anchor.getNotBefore().toInstant());
            until = earlier(until, anchor.getNotAfter().toInstant());
        }
        Window window = new Window(from, until);
        if (!window.covers(now)) {
            return;
        }
        synchronized (entries) {
            entries.put(key, window);
        }
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    public int maxEntries() {
        return maxEntries;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
