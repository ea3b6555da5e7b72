/**
 * Keycloak glue two or more pack modules need. Keycloak types are provided by the server; like the
 * rest of this module, these classes are relocated into each provider JAR.
 */
package dev.workloadid.keycloak.common.keycloak;
