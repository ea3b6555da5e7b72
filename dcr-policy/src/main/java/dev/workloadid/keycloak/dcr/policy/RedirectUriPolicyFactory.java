package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.McpRules;
import dev.workloadid.keycloak.dcr.rules.RedirectUriRules;
import dev.workloadid.keycloak.dcr.rules.RegistrationMetadata;
import org.keycloak.models.ClientModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.List;

/** Policy {@value #ID}: https redirect URIs, loopback or private-use schemes for native clients, no wildcards or fragments. */
public final class RedirectUriPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-redirect-uris";
    static final String LOCALHOST = "allow-localhost-name";
    static final String PRIVATE_SCHEMES = "allow-private-use-schemes";
    static final String HTTP_LOOPBACK_WEB = "allow-http-loopback-for-web";

    public RedirectUriPolicyFactory() {
        super(ID, "Redirect URIs must be https; native clients (application_type native) may also use http on a loopback "
                        + "address with any port, or a private-use scheme in reverse-domain form. Wildcards, fragments and "
                        + "user info are refused (invalid_redirect_uri).",
                b -> {
                    b.bool(LOCALHOST, "Allow the name localhost", true, "Accept http://localhost as a loopback redirect "
                            + "(RFC 8252 prefers 127.0.0.1 and [::1], which are always accepted for native clients).");
                    b.bool(PRIVATE_SCHEMES, "Allow private-use schemes", true,
                            "Accept private-use URI schemes such as com.example.app:/callback for native clients.");
                    b.bool(HTTP_LOOPBACK_WEB, "Allow http loopback for web clients", false,
                            "Also accept http loopback redirect URIs for web clients (local development).");
                });
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        List<String> uris = request.metadata().list(RegistrationMetadata.REDIRECT_URIS);
        String type = request.applicationType() != null ? request.applicationType()
                : McpRules.applicationType(request.metadata().text(RegistrationMetadata.APPLICATION_TYPE), uris, false);
        RedirectUriRules.check(uris, type, new RedirectUriRules.Settings(policy.flag(LOCALHOST, true),
                policy.flag(PRIVATE_SCHEMES, true), policy.flag(HTTP_LOOPBACK_WEB, false)));
    }
}
