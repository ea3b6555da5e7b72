package dev.workloadid.keycloak.common.keycloak;

import org.junit.jupiter.api.Test;
import org.keycloak.models.ModelException;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAttributeCountTest {

    @Test
    void countsByAttributeSearchWhenTheServerAllowsIt() {
        ClientAttributeCount counter = new ClientAttributeCount("cimd.managed");
        AtomicInteger scans = new AtomicInteger();
        long n = counter.count(() -> Stream.of("a", "b", "c"), () -> {
            scans.incrementAndGet();
            return Stream.empty();
        }, 10);
        assertThat(n).isEqualTo(3);
        assertThat(scans).hasValue(0);
    }

    @Test
    void fallsBackToAScanWhenTheAttributeIsNotSearchableAndRemembersIt() {
        ClientAttributeCount counter = new ClientAttributeCount("cimd.managed");
        AtomicInteger searches = new AtomicInteger();
        java.util.function.Supplier<Stream<?>> notSearchable = () -> {
            searches.incrementAndGet();
            throw new ModelException("Attribute(s) \"cimd.managed\" not allowed for search");
        };
        assertThat(counter.count(notSearchable, () -> Stream.of(1, 2), 10)).isEqualTo(2);
        assertThat(counter.count(notSearchable, () -> Stream.of(1, 2, 3), 10)).isEqualTo(3);
        assertThat(searches).hasValue(1);
        assertThat(counter.searchable()).isFalse();
    }

    @Test
    void neverCountsPastTheLimit() {
        ClientAttributeCount counter = new ClientAttributeCount("cimd.managed");
        assertThat(counter.count(() -> IntStream.range(0, 5000).boxed(), Stream::empty, 1000)).isEqualTo(1000);
    }
}
