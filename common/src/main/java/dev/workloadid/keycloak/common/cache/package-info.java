/**
 * HTTP caching arithmetic (RFC 9111) for fetched documents: how long a response may be reused and
 * which validators to send when it is revalidated. Pure functions; the caller owns the cache and
 * the clock, and the admin's floor and ceiling bound whatever the origin asks for.
 */
package dev.workloadid.keycloak.common.cache;
