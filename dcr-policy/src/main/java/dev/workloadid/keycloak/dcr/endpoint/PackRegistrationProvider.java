package dev.workloadid.keycloak.dcr.endpoint;

import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import dev.workloadid.keycloak.common.keycloak.PackClientAttributes;
import dev.workloadid.keycloak.common.keycloak.ReservedRegistration;
import dev.workloadid.keycloak.dcr.install.SpiffeBindingInstallation;
import dev.workloadid.keycloak.dcr.metrics.DcrMeters;
import dev.workloadid.keycloak.dcr.prepare.BindingStep;
import dev.workloadid.keycloak.dcr.prepare.ExistingClient;
import dev.workloadid.keycloak.dcr.prepare.JwksInlining;
import dev.workloadid.keycloak.dcr.prepare.MetadataStep;
import dev.workloadid.keycloak.dcr.prepare.SecretStep;
import dev.workloadid.keycloak.dcr.prepare.StatementStep;
import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import dev.workloadid.keycloak.dcr.rules.SpiffeBindingRules;
import dev.workloadid.keycloak.dcr.statement.JwksFetcher;
import dev.workloadid.keycloak.dcr.statement.SoftwareStatementVerifier;
import dev.workloadid.keycloak.dcr.statement.StatementIssuers;
import dev.workloadid.keycloak.dcr.statement.VerifiedStatement;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.oidc.OIDCClientRepresentation;
import org.keycloak.services.Urls;
import org.keycloak.services.clientregistration.ClientRegistrationAuth;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider;
import org.keycloak.util.JsonSerialization;

import java.text.ParseException;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * RFC 7591 / RFC 7592 registration at {@code /realms/{realm}/clients-registrations/rfc7591}.
 * Reads the request leniently (unknown metadata ignored, software statement verified and merged,
 * software_id / software_version kept), then hands a clean {@link OIDCClientRepresentation} to
 * Keycloak's own OIDC registration provider, so initial access tokens, registration access tokens,
 * registration policies, client policies and validation are Keycloak's. Refusals use RFC 7591
 * error codes with HTTP 400 (401 for a bad token), roll the transaction back, and are never a 5xx.
 */
public final class PackRegistrationProvider implements ClientRegistrationProvider {

    private static final Logger LOG = Logger.getLogger(PackRegistrationProvider.class);
    private static final ObjectMapper MAPPER = JsonSerialization.mapper;
    /** Members Keycloak's registration representation understands; all others are ignored (DCR-04). */
    static final Set<String> KNOWN = MetadataStep.keycloakMembers(MAPPER);

    private final KeycloakSession session;
    private final JwksFetcher jwks;
    private EventBuilder event;
    private ClientRegistrationAuth auth;

    PackRegistrationProvider(KeycloakSession session, JwksFetcher jwks) {
        this.session = session;
        this.jwks = jwks;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response register(String body) {
        return guarded(() -> {
            RealmModel realm = session.getContext().getRealm();
            String attested = attestedSpiffeId(realm);
            if (attested == null) {
                // Authorize first, then read: prepare() fetches jwks_uri and verifies software statements.
                AuthorizeFirst.create(session, event, PackRegistrationProviderFactory.ID);
            }
            RegistrationRequest request = prepare(body, realm, attested, null);
            // jwt.credential.sub is always searchable (see the SPIFFE module's SpiffeClients).
            if (attested != null && !session.singleUseObjects().putIfAbsent(
                    "wi-dcr-spiffe-registration:" + realm.getId() + ":" + attested, 30)) {
                // Another node (or thread) is registering this SPIFFE ID right now: one client per ID.
                throw DcrError.metadata("a registration for " + attested + " is already in progress");
            }
            if (attested != null && session.clients().searchClientsByAttributes(realm,
                    Map.of(PackClientAttributes.SPIFFE_BINDING, attested), 0, 1).findAny().isPresent()) {
                throw DcrError.metadata("a client is already registered for " + attested
                        + "; update it with its registration access token");
            }
            OIDCClientRepresentation oidc = toOidc(request);
            OIDCClientRegistrationProvider delegate = delegate(request);
            Response created = attested == null ? delegate.createOIDC(oidc)
                    : WithoutAuthorization.call(session.getContext(), () -> delegate.createOIDC(oidc));
            if (attested != null) {
                // Its registration access token also works at Keycloak's own endpoint: guard both.
                SpiffeBindingInstallation.ensureInstalled(realm);
            }
            return respond(created, 201);
        });
    }

    @GET
    @Path("{clientId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response read(@PathParam("clientId") String clientId) {
        return guarded(() -> respond(delegate(null).getOIDC(clientId), 200));
    }

    @PUT
    @Path("{clientId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response update(@PathParam("clientId") String clientId, String body) {
        return guarded(() -> {
            RealmModel realm = session.getContext().getRealm();
            ClientModel existing = realm.getClientByClientId(clientId);
            // The caller proves it may touch this client before the body is looked at: prepare() compares
            // client_secret, names the bound SPIFFE ID in refusals and fetches jwks_uri, none of which an
            // unauthenticated caller may learn or trigger. Keycloak's update checks the token again.
            event.event(EventType.CLIENT_UPDATE).client(clientId);
            new ClientRegistrationAuth(session, this, event, PackRegistrationProviderFactory.ID).requireView(existing);
            RegistrationRequest request = prepare(body, realm, null, existing);
            OIDCClientRepresentation oidc = toOidc(request);
            Response updated = delegate(request).updateOIDC(clientId, oidc);
            if (existing != null && SpiffeBindingRules.bound(existing.getClientAuthenticatorType(),
                    existing.getAttribute(PackClientAttributes.SPIFFE_BINDING))) {
                SpiffeBindingInstallation.ensureInstalled(realm); // realms with attested clients from before the policy
            }
            return respond(updated, 200);
        });
    }

    @DELETE
    @Path("{clientId}")
    public Response remove(@PathParam("clientId") String clientId) {
        return guarded(() -> {
            delegate(null).deleteOIDC(clientId);
            return Response.noContent().build();
        });
    }

    /**
     * Parses, verifies and checks a request body, one step after the other; attaches the result for the
     * pack's policies.
     */
    private RegistrationRequest prepare(String body, RealmModel realm, String attested, ClientModel client) {
        ExistingClient existing = ExistingClient.of(client);
        RegistrationMetadata m = RegistrationMetadata.parse(MAPPER, body);
        VerifiedStatement statement = new StatementStep(MAPPER, statementVerifier(realm))
                .apply(m, () -> StatementIssuers.of(realm));
        String bound = BindingStep.apply(m, attested, existing);
        SecretStep.apply(m, existing);
        String applicationType = new MetadataStep(KNOWN, new JwksInlining(MAPPER, jwks::get)).apply(m, bound != null);
        RegistrationRequest request = new RegistrationRequest(m, statement, existing == null ? attested : null,
                RegistrationRequest.sourceAddress(session), applicationType);
        session.setAttribute(RegistrationRequest.SESSION_ATTRIBUTE, request);
        // The policies of every pack JAR: the reserved attributes of this request are the pack's own.
        ReservedRegistration.markPackEndpoint(session, request.attestedSpiffeId());
        return request;
    }

    private static OIDCClientRepresentation toOidc(RegistrationRequest request) {
        try {
            return MAPPER.treeToValue(request.metadata().metadata(), OIDCClientRepresentation.class);
        } catch (Exception e) {
            throw DcrError.metadata("client metadata of the wrong type: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** A JWT-SVID in {@code Authorization: Bearer}: the SPIFFE ID it proves, or null when the bearer is something else. */
    private String attestedSpiffeId(RealmModel realm) {
        String header = session.getContext().getRequestHeaders().getRequestHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            LOG.debugf("registration without a bearer token (header present: %s)", header != null);
            return null;
        }
        String token = header.substring(7).trim();
        String sub;
        try {
            sub = SignedJWT.parse(token).getJWTClaimsSet().getSubject();
        } catch (ParseException | RuntimeException e) {
            LOG.debugf("bearer token is not a JWT-SVID (%s); Keycloak's token handling answers", e.getMessage());
            return null; // not a JWT: Keycloak's own token handling answers
        }
        if (sub == null || !sub.regionMatches(true, 0, "spiffe://", 0, 9)) {
            LOG.debugf("bearer JWT is not a JWT-SVID (sub %s); Keycloak's token handling answers", sub);
            return null;
        }
        return SpiffeSupport.verifyForRegistration(session, realm, token, endpointUrl(realm), "invalid_token").spiffeId();
    }

    /** The audience a JWT-SVID presented to this endpoint must name: the endpoint's own URL. */
    String endpointUrl(RealmModel realm) {
        return Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName())
                + "/clients-registrations/" + PackRegistrationProviderFactory.ID;
    }

    private SoftwareStatementVerifier statementVerifier(RealmModel realm) {
        return new SoftwareStatementVerifier((issuer, refresh) -> {
            if (issuer.staticJwks() != null) {
                return issuer.staticJwks();
            }
            try {
                return jwks.get(issuer.jwksUri(), refresh);
            } catch (JwksFetcher.JwksUnavailable e) {
                throw new DcrError(DcrError.INVALID_SOFTWARE_STATEMENT, "the keys of issuer " + issuer.name()
                        + " are unavailable: " + e.getMessage())
                        .withDetail("the keys of issuer " + issuer.name() + " are unavailable: " + e.detail());
            }
        }, (jwt, issuer) -> {
            SpiffeSupport.Svid svid = SpiffeSupport.verify(session, realm, jwt, endpointUrl(realm), DcrError.INVALID_SOFTWARE_STATEMENT);
            if (!svid.trustDomain().equalsIgnoreCase(issuer.trustDomain())) {
                throw new DcrError(DcrError.UNAPPROVED_SOFTWARE_STATEMENT, "the statement's trust domain is not trusted");
            }
            return svid.claims();
        });
    }

    private OIDCClientRegistrationProvider delegate(RegistrationRequest request) {
        OIDCClientRegistrationProvider delegate = new OIDCClientRegistrationProvider(session);
        delegate.setEvent(event);
        delegate.setAuth(request == null
                ? new ClientRegistrationAuth(session, delegate, event, PackRegistrationProviderFactory.ID)
                : new PackRegistrationAuth(session, delegate, event, PackRegistrationProviderFactory.ID, request));
        return delegate;
    }

    /** Keycloak's client information response plus what the pack keeps (DCR-12, DCR-13). */
    private Response respond(Response stock, int status) {
        RealmModel realm = session.getContext().getRealm();
        return ClientInformation.respond(stock, status, realm, endpointUrl(realm));
    }

    private Response guarded(Supplier<Response> action) {
        Response response = new RegistrationAnswers(session, event).answer(action);
        DcrMeters.request(session.getContext().getRealm().getName(),
                session.getContext().getHttpRequest().getHttpMethod(), response);
        return response;
    }

    @Override
    public void setAuth(ClientRegistrationAuth auth) {
        this.auth = auth;
    }

    @Override
    public ClientRegistrationAuth getAuth() {
        return auth;
    }

    @Override
    public void setEvent(EventBuilder event) {
        this.event = event;
    }

    @Override
    public EventBuilder getEvent() {
        return event;
    }

    @Override
    public void close() {
    }

}
