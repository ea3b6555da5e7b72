package dev.workloadid.keycloak.dcr.endpoint;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import org.keycloak.http.FormPartValue;
import org.keycloak.http.HttpRequest;
import org.keycloak.models.KeycloakContext;

import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs Keycloak's registration code with the request's Authorization header hidden. For a
 * SPIFFE-attested registration the bearer is a JWT-SVID the pack has already verified; Keycloak's
 * registration auth decodes any bearer it sees as one of its own tokens (package-private code the
 * pack cannot override) and would refuse it. Hidden only for the duration of the call.
 */
final class WithoutAuthorization implements HttpRequest {

    private final HttpRequest delegate;

    private WithoutAuthorization(HttpRequest delegate) {
        this.delegate = delegate;
    }

    static <T> T call(KeycloakContext context, Supplier<T> work) {
        HttpRequest original = context.getHttpRequest();
        context.setHttpRequest(new WithoutAuthorization(original));
        try {
            return work.get();
        } finally {
            context.setHttpRequest(original);
        }
    }

    @Override
    public String getHttpMethod() {
        return delegate.getHttpMethod();
    }

    @Override
    public MultivaluedMap<String, String> getDecodedFormParameters() {
        return delegate.getDecodedFormParameters();
    }

    @Override
    public MultivaluedMap<String, FormPartValue> getMultiPartFormParameters() {
        return delegate.getMultiPartFormParameters();
    }

    @Override
    public HttpHeaders getHttpHeaders() {
        HttpHeaders headers = delegate.getHttpHeaders();
        return new HttpHeaders() {
            @Override
            public List<String> getRequestHeader(String name) {
                return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? null : headers.getRequestHeader(name);
            }

            @Override
            public String getHeaderString(String name) {
                return HttpHeaders.AUTHORIZATION.equalsIgnoreCase(name) ? null : headers.getHeaderString(name);
            }

            @Override
            public MultivaluedMap<String, String> getRequestHeaders() {
                MultivaluedMap<String, String> copy = new MultivaluedHashMap<>();
                headers.getRequestHeaders().forEach((k, v) -> {
                    if (!HttpHeaders.AUTHORIZATION.equalsIgnoreCase(k)) {
                        copy.put(k, v);
                    }
                });
                return copy;
            }

            @Override
            public List<MediaType> getAcceptableMediaTypes() {
                return headers.getAcceptableMediaTypes();
            }

            @Override
            public List<Locale> getAcceptableLanguages() {
                return headers.getAcceptableLanguages();
            }

            @Override
            public MediaType getMediaType() {
                return headers.getMediaType();
            }

            @Override
            public Locale getLanguage() {
                return headers.getLanguage();
            }

            @Override
            public Map<String, Cookie> getCookies() {
                return headers.getCookies();
            }

            @Override
            public Date getDate() {
                return headers.getDate();
            }

            @Override
            public int getLength() {
                return headers.getLength();
            }
        };
    }

    @Override
    public X509Certificate[] getClientCertificateChain() {
        return delegate.getClientCertificateChain();
    }

    @Override
    public UriInfo getUri() {
        return delegate.getUri();
    }

    @Override
    public boolean isProxyTrusted() {
        return delegate.isProxyTrusted();
    }
}
