/** The JWT-SVID check shared by the client authenticator and the cross-module verifier SPI. */
package dev.workloadid.keycloak.spiffe.verify;
