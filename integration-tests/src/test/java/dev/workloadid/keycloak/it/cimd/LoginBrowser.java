package dev.workloadid.keycloak.it.cimd;

import dev.workloadid.keycloak.it.harness.Http;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Drives Keycloak's login and consent pages over plain HTTP, keeping cookies like a browser and
 * following nothing by itself: each step returns the response so the test sees every redirect.
 */
final class LoginBrowser {

    private static final Pattern FORM_ACTION = Pattern.compile("<form[^>]*action=\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern HIDDEN_CODE = Pattern.compile("name=\"code\"\\s+value=\"([^\"]+)\"");
    /** name -> value; Keycloak marks cookies Secure even on http://127.0.0.1, which CookieManager then withholds. */
    private final Map<String, String> cookies = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Http.Response get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build());
    }

    Http.Response post(URI uri, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Follows redirects that stay on Keycloak (prefix {@code keycloakBase}); stops at any other Location. */
    Http.Response follow(Http.Response response, String keycloakBase) {
        Http.Response r = response;
        for (int i = 0; i < 10 && r.status() == 302 && r.header("Location") != null
                && r.header("Location").startsWith(keycloakBase); i++) {
            r = get(URI.create(r.header("Location")));
        }
        return r;
    }

    /** The action of the page's first form, unescaped. */
    static URI formAction(Http.Response page) {
        Matcher m = FORM_ACTION.matcher(page.body());
        if (!m.find()) {
            throw new AssertionError("no form on the page (HTTP " + page.status() + "): " + page.body());
        }
        return URI.create(m.group(1).replace("&amp;", "&"));
    }

    /** The hidden "code" field of the consent form, if the page has one. */
    static String consentCode(Http.Response page) {
        Matcher m = HIDDEN_CODE.matcher(page.body());
        return m.find() ? m.group(1) : null;
    }

    /** A query parameter of a redirect's Location. */
    static String param(String location, String name) {
        String query = URI.create(location).getRawQuery();
        for (String pair : query.split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals(name)) {
                return java.net.URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private Http.Response send(HttpRequest original) {
        HttpRequest.Builder b = HttpRequest.newBuilder(original, (n, v) -> true);
        if (!cookies.isEmpty()) {
            b.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("; ")));
        }
        HttpRequest request = b.build();
        try {
            var r = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            for (String setCookie : r.headers().allValues("Set-Cookie")) {
                String pair = setCookie.split(";", 2)[0];
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    String value = pair.substring(eq + 1);
                    if (value.isEmpty() || setCookie.toLowerCase().contains("max-age=0")) {
                        cookies.remove(pair.substring(0, eq).trim());
                    } else {
                        cookies.put(pair.substring(0, eq).trim(), value);
                    }
                }
            }
            return new Http.Response(r.statusCode(), r.body(), r.headers());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
