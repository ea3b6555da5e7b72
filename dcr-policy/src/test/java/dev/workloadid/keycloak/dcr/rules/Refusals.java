package dev.workloadid.keycloak.dcr.rules;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Asserts a rule's refusal: a {@link DcrError} with the RFC 7591 §3.2.2 code, HTTP 400 and a description. */
public final class Refusals {

    private Refusals() {
    }

    /** @return the refusal, for assertions on its description */
    public static DcrError refused(ThrowingCallable call, String code) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("a refusal with " + code).isInstanceOf(DcrError.class);
        DcrError error = (DcrError) thrown;
        assertThat(error.code()).as(error.description()).isEqualTo(code);
        assertThat(error.status()).isEqualTo(400);
        assertThat(error.description()).isNotBlank();
        return error;
    }
}
