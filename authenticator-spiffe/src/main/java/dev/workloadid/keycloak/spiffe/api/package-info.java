/**
 * What other modules of the pack (and other extensions) may use of SPIFFE: a Keycloak SPI,
 * {@code spiffe-svid-verifier}, whose types are JDK and Keycloak types only. They are never
 * relocated, so a module compiled against them (scope provided) finds them at run time whenever
 * this JAR is deployed, and can test for their presence when it is not.
 */
package dev.workloadid.keycloak.spiffe.api;
