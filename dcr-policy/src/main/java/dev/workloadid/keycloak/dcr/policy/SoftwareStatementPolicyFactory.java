package dev.workloadid.keycloak.dcr.policy;

import dev.workloadid.keycloak.dcr.request.RegistrationRequest;
import dev.workloadid.keycloak.dcr.rules.DcrError;
import org.keycloak.models.ClientModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;

import java.util.List;

/** Policy {@value #ID}: a verified software statement is required, optionally from named issuers only. */
public final class SoftwareStatementPolicyFactory extends PackPolicyFactory {

    public static final String ID = "wi-software-statement";
    static final String REQUIRED = "required";
    static final String ISSUERS = "trusted-issuers";

    public SoftwareStatementPolicyFactory() {
        super(ID, "Requires a software statement verified against the realm's Software statement issuers (pack endpoint "
                        + "rfc7591 only: the stock endpoint cannot receive statements), optionally from the issuers named here.",
                b -> {
                    b.bool(REQUIRED, "Statement required", true, "Refuse registrations without a software statement.");
                    b.list(ISSUERS, "Accepted issuers", "Issuer names (iss values, or trust domains for SPIFFE issuers), "
                            + "one per line, whose statements this policy accepts. Empty: any issuer configured under "
                            + "Software statement issuers.", SoftwareStatementPolicyFactory::issuerName);
                });
    }

    /** An iss value is a StringOrURI (RFC 7519): no spaces or control characters around or inside it. */
    private static String issuerName(String entry) {
        if (entry.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("contains a space or control character; an issuer name is one iss value");
        }
        return entry;
    }

    @Override
    void check(PackPolicy policy, ClientRegistrationContext context, RegistrationRequest request, ClientModel existing) {
        if (request.statement() == null) {
            if (policy.flag(REQUIRED, true)) {
                throw DcrError.metadata("a software_statement from a trusted issuer is required");
            }
            return;
        }
        List<String> issuers = policy.values(ISSUERS);
        if (!issuers.isEmpty() && !issuers.contains(request.statement().issuer())) {
            throw new DcrError(DcrError.UNAPPROVED_SOFTWARE_STATEMENT, "software statements of issuer "
                    + request.statement().issuer() + " are not accepted here");
        }
    }
}
