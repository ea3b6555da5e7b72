package dev.workloadid.keycloak.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The heap Keycloak's JVM uses after a full collection, read with the JDK's {@code jcmd} (attach API,
 * same user, no JMX port, no JVM flag needed): {@code GC.run} then {@code GC.heap_info}. Only where the
 * server is a local process ({@link KeycloakServer#pid}); empty otherwise or when jcmd fails.
 */
public final class JvmHeap {

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private JvmHeap() {
    }

    /** Bytes of heap in use right after a full GC, or empty when it cannot be read. */
    public static OptionalLong usedAfterFullGc(KeycloakServer server) {
        OptionalLong pid = server.pid();
        if (pid.isEmpty()) {
            return OptionalLong.empty();
        }
        String id = Long.toString(pid.getAsLong());
        if (run(jcmd(), id, "GC.run") == null) {
            return OptionalLong.empty();
        }
        String info = run(jcmd(), id, "GC.heap_info");
        if (info == null) {
            return OptionalLong.empty();
        }
        Matcher m = USED.matcher(info); // the first "used" is the whole heap's
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1)) * 1024) : OptionalLong.empty();
    }

    private static String jcmd() {
        Path sibling = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(sibling) ? sibling.toString() : "jcmd";
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
