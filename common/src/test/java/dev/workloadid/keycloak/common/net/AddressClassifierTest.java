package dev.workloadid.keycloak.common.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pure classification: no name is ever resolved, only literals are parsed. */
class AddressClassifierTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            0.0.0.0           | "this network" 0.0.0.0/8
            0.255.255.255     | "this network" 0.0.0.0/8
            10.0.0.0          | private-use 10.0.0.0/8
            10.255.255.255    | private-use 10.0.0.0/8
            100.64.0.0        | shared address space (CGNAT) 100.64.0.0/10
            100.127.255.255   | shared address space (CGNAT) 100.64.0.0/10
            127.0.0.1         | loopback 127.0.0.0/8
            127.255.255.254   | loopback 127.0.0.0/8
            169.254.0.0       | link-local 169.254.0.0/16
            169.254.169.254   | link-local 169.254.0.0/16
            172.16.0.0        | private-use 172.16.0.0/12
            172.31.255.255    | private-use 172.16.0.0/12
            192.0.0.0         | IETF protocol assignments 192.0.0.0/24
            192.0.0.255       | IETF protocol assignments 192.0.0.0/24
            192.0.2.1         | documentation (TEST-NET-1) 192.0.2.0/24
            192.88.99.1       | 6to4 relay anycast 192.88.99.0/24
            192.168.0.0       | private-use 192.168.0.0/16
            192.168.255.255   | private-use 192.168.0.0/16
            198.18.0.0        | benchmarking 198.18.0.0/15
            198.19.255.255    | benchmarking 198.18.0.0/15
            198.51.100.7      | documentation (TEST-NET-2) 198.51.100.0/24
            203.0.113.9       | documentation (TEST-NET-3) 203.0.113.0/24
            224.0.0.1         | multicast 224.0.0.0/4
            239.255.255.255   | multicast 224.0.0.0/4
            240.0.0.1         | reserved 240.0.0.0/4
            255.255.255.254   | reserved 240.0.0.0/4
            255.255.255.255   | limited broadcast 255.255.255.255/32
            """)
    void cimd36_refusesSpecialUseIpv4(String address, String range) throws Exception {
        assertSpecial(ip(address), range);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0",
        "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0",
        "192.0.1.255", "192.0.3.0", "192.88.98.255", "192.88.100.0",
        "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
        "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255"})
    void cimd36_allowsPublicIpv4IncludingRangeBoundaries(String address) throws Exception {
        assertPublic(ip(address));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ::                    | unspecified ::/128
            ::1                   | loopback ::1/128
            64:ff9b::a00:1        | NAT64 well-known prefix 64:ff9b::/96 embedding private-use 10.0.0.0/8
            64:ff9b::a9fe:a9fe    | NAT64 well-known prefix 64:ff9b::/96 embedding link-local 169.254.0.0/16
            64:ff9b::7f00:1       | NAT64 well-known prefix 64:ff9b::/96 embedding loopback 127.0.0.0/8
            64:ff9b:1::808:808    | NAT64 local-use 64:ff9b:1::/48
            100::1                | discard-only 100::/64
            2001::1               | Teredo 2001::/32
            2001:0:4136:e378::1   | Teredo 2001::/32
            2001:2::1             | IETF protocol assignments 2001::/23
            2001:1ff:ffff::1      | IETF protocol assignments 2001::/23
            2001:db8::1           | documentation 2001:db8::/32
            2001:db8:ffff::1      | documentation 2001:db8::/32
            2002:a00:1::1         | 6to4 2002::/16 embedding private-use 10.0.0.0/8
            2002:7f00:1::1        | 6to4 2002::/16 embedding loopback 127.0.0.0/8
            3fff::1               | documentation 3fff::/20
            3fff:fff:ffff::1      | documentation 3fff::/20
            5f00::1               | segment routing (SRv6) SIDs 5f00::/16
            fc00::1               | unique-local fc00::/7
            fdff:ffff::1          | unique-local fc00::/7
            fe80::1               | link-local fe80::/10
            febf:ffff::1          | link-local fe80::/10
            fec0::1               | site-local (deprecated) fec0::/10
            ff02::1               | multicast ff00::/8
            ::a00:1               | reserved, not IPv6 global unicast ::/3
            4000::1               | reserved, not IPv6 global unicast 4000::/2
            e000::1               | reserved, not IPv6 global unicast 8000::/1
            """)
    void cimd36_refusesSpecialUseIpv6(String address, String range) throws Exception {
        assertSpecial(ip(address), range);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2606:4700:4700::1111", "2001:4860:4860::8888", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1",
        "2003::1", "3ffe:ffff::1", "3fff:1000::1", "2c0f:f000::1",
        "64:ff9b::808:808", "2002:808:808::1"})
    void cimd36_allowsPublicIpv6IncludingEmbeddedPublicIpv4(String address) throws Exception {
        assertPublic(ip(address));
    }

    @Test
    void cimd36_judgesIpv4MappedByTheEmbeddedAddress() throws Exception {
        assertSpecial(mapped(10, 0, 0, 1), "IPv4-mapped ::ffff:0:0/96 embedding private-use 10.0.0.0/8");
        assertSpecial(mapped(169, 254, 169, 254), "IPv4-mapped ::ffff:0:0/96 embedding link-local 169.254.0.0/16");
        assertPublic(mapped(8, 8, 8, 8));
    }

    @Test
    void loopbackExceptionCoversOnly127And1() throws Exception {
        assertThat(AddressClassifier.classify(ip("127.0.0.1")).permitted(true)).isTrue();
        assertThat(AddressClassifier.classify(ip("127.3.2.1")).permitted(true)).isTrue();
        assertThat(AddressClassifier.classify(ip("::1")).permitted(true)).isTrue();
        assertThat(AddressClassifier.classify(ip("127.0.0.1")).permitted(false)).isFalse();
        // 0.0.0.0 also reaches this host on Linux, but is not loopback.
        assertThat(AddressClassifier.classify(ip("0.0.0.0")).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(ip("::")).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(ip("10.0.0.1")).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(ip("169.254.169.254")).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(mapped(127, 0, 0, 1)).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(ip("64:ff9b::7f00:1")).permitted(true)).isFalse();
        assertThat(AddressClassifier.classify(ip("8.8.8.8")).permitted(false)).isTrue();
    }

    @Test
    void ipv4MappedLiteralIsParsedAsIpv4ByJava() throws Exception {
        // What the system resolver hands us for ::ffff:a.b.c.d; classified as the IPv4 address.
        assertSpecial(ip("::ffff:169.254.169.254"), "link-local 169.254.0.0/16");
    }

    private static void assertSpecial(InetAddress address, String range) {
        AddressClassifier.Classification c = AddressClassifier.classify(address);
        assertThat(c.isSpecialUse()).as("%s is special-use", address).isTrue();
        assertThat(c.range()).isEqualTo(range);
        assertThat(c.permitted(false)).isFalse();
    }

    private static void assertPublic(InetAddress address) {
        AddressClassifier.Classification c = AddressClassifier.classify(address);
        assertThat(c.isSpecialUse()).as("%s is public, got %s", address, c.range()).isFalse();
        assertThat(c.isLoopback()).isFalse();
        assertThat(c.permitted(false)).isTrue();
    }

    /** A literal only; refuses anything that could trigger a DNS lookup. */
    static InetAddress ip(String literal) throws Exception {
        if (!literal.contains(":") && !literal.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IP literal: " + literal);
        }
        return InetAddress.getByName(literal);
    }

    /** An Inet6Address in ::ffff:0:0/96 (Java would turn the textual form into an IPv4 address). */
    private static InetAddress mapped(int a, int b, int c, int d) throws Exception {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
        assertThat(address).isInstanceOf(Inet6Address.class);
        return address;
    }
}
