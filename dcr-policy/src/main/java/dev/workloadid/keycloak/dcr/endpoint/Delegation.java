package dev.workloadid.keycloak.dcr.endpoint;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A stand-in for one of Keycloak's interfaces that answers a few calls itself and passes every other
 * call to the real object: the endpoint changes one thing about Keycloak's request or session for the
 * duration of a call without re-implementing the rest.
 */
final class Delegation {

    /** What an {@link Answer} returns for a call the real object should answer. */
    static final Object PASS = new Object();

    /** The stand-in's own answer to a call, or {@link #PASS}. */
    @FunctionalInterface
    interface Answer {
        Object answer(Method method, Object[] args);
    }

    private Delegation() {
    }

    static <T> T around(Class<T> type, T target, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Object own = answer.answer(method, args);
            if (own != PASS) {
                return own;
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
